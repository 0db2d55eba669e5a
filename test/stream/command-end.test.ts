import assert from "node:assert/strict";

import { TestScheduler } from "rxjs/testing";

import type { StreamEvent } from "../../src/stream/types";
import { eventToken } from "./fake-engine";
import { buildTestStream, type StreamSpec } from "./harness";

/** Runs a marble-described stream and lists its results and command ends as "token at ms". */
function resultsAndEnds(spec: StreamSpec): { timeline: string[]; ends: StreamEvent[] } {
  const scheduler = new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
  const timeline: string[] = [];
  const ends: StreamEvent[] = [];
  scheduler.run((helpers) => {
    const { events } = buildTestStream(scheduler, helpers, spec);
    events.subscribe((event) => {
      if (event.kind === "result" || event.kind === "ended") {
        timeline.push(`${eventToken(event)} at ${scheduler.now()}`);
      }
      if (event.kind === "ended") {
        ends.push(event);
      }
    });
    helpers.flush();
  });
  return { timeline, ends };
}

describe("grounding stream: command ends", () => {
  it("ends the command on a stop", () => {
    const { timeline, ends } = resultsAndEnds({
      transcripts: "t------------s",
      texts: { t: "grab the red cup", s: "stop" },
      frames: "a----b----c----d|",
      engine: { groundMs: 2 },
    });
    assert.deepStrictEqual(timeline, ["a@1 at 2", "b@1 at 7", "c@1 at 12", "ended@1 at 13"]);
    assert.equal(ends.length, 1);
    assert.match((ends[0] as { reason: string }).reason, /^stopped by "stop"/);
  });

  it("ends after the in-flight result", () => {
    const { timeline } = resultsAndEnds({
      transcripts: "t--s",
      texts: { t: "grab the red cup", s: "cancel" },
      frames: "a-----------b|",
      engine: { groundMs: 6 },
    });
    assert.deepStrictEqual(timeline, ["a@1 at 6", "ended@1 at 6"]);
  });

  it("ends after an older command's in-flight result", () => {
    const { timeline } = resultsAndEnds({
      transcripts: "t-u-s",
      texts: { t: "grab the red cup", u: "grab the blue bowl", s: "stop" },
      frames: "a-----------b|",
      engine: { groundMs: 6 },
    });
    assert.deepStrictEqual(timeline, ["a@1 at 6", "ended@2 at 6"]);
  });

  it("ends the command after its lifetime", () => {
    const { timeline, ends } = resultsAndEnds({
      transcripts: "t",
      texts: { t: "grab the red cup" },
      parameters: "p",
      parameterValues: { p: { command_ttl_s: 0.012 } },
      frames: "a----b----c----d----e|",
      engine: { groundMs: 3 },
    });
    assert.deepStrictEqual(timeline, ["a@1 at 3", "b@1 at 8", "c@1 at 13", "ended@1 at 15"]);
    assert.equal((ends[0] as { reason: string }).reason, "expired after 3 result(s)");
  });

  it("ends the command on an ungroundable text", () => {
    const { timeline, ends } = resultsAndEnds({
      transcripts: "t-------s",
      texts: { t: "grab the red cup", s: "grab all the bowls" },
      frames: "a----b----c|",
      engine: { groundMs: 2, objectNouns: ["cup", "bowl"] },
    });
    assert.deepStrictEqual(timeline, ["a@1 at 2", "b@1 at 7", "ended@1 at 8"]);
    assert.match((ends[0] as { reason: string }).reason, /^replaced by "grab all the bowls"/);
  });

  it("ends when the replacing text names an unknown object", () => {
    const { timeline, ends } = resultsAndEnds({
      transcripts: "t-------s",
      texts: { t: "grab the red cup", s: "grab the knife" },
      frames: "a----b----c|",
      engine: { groundMs: 2, objectNouns: ["cup", "bowl"] },
    });
    assert.deepStrictEqual(timeline, ["a@1 at 2", "b@1 at 7", "ended@2 at 8"]);
    assert.equal((ends[0] as { reason: string }).reason, "dropped: no_known_object");
  });

  it("no end without a command or on replacement", () => {
    const { timeline } = resultsAndEnds({
      transcripts: "s-t-----u",
      texts: { s: "stop", t: "grab the red cup", u: "grab the blue bowl" },
      frames: "--a----b----c|",
      engine: { groundMs: 2 },
    });
    assert.deepStrictEqual(timeline, ["a@1 at 4", "b@1 at 9", "c@2 at 14"]);
  });
});
