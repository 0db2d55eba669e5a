import assert from "node:assert/strict";

import { EMPTY, NEVER, of } from "rxjs";
import { TestScheduler } from "rxjs/testing";

import { ArgumentError } from "../../src/errors";
import { createGroundingStream } from "../../src/stream";
import type { GroundingStreamOptions } from "../../src/stream";
import type { GroundingEvent } from "../../src/stream/types";
import { FakeEngine, makeFrame, makeTranscript, parametersWith } from "./fake-engine";
import { buildTestStream } from "./harness";

function createScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
}

function validOptions(): GroundingStreamOptions {
  return {
    engine: new FakeEngine({ groundMs: 1 }, () => 0),
    frames: EMPTY,
    transcripts: EMPTY,
    parameters: of(parametersWith({})),
  };
}

describe("grounding stream lifecycle", () => {
  const invalid: [string, (options: GroundingStreamOptions) => unknown][] = [
    ["engine", (options) => ({ ...options, engine: { encode: () => EMPTY } })],
    ["frames", (options) => ({ ...options, frames: [makeFrame("a", 0)] })],
    ["transcripts", (options) => ({ ...options, transcripts: undefined })],
    ["parameters", (options) => ({ ...options, parameters: parametersWith({}) })],
    ["scheduler", (options) => ({ ...options, scheduler: {} })],
    ["dropWhileBusy", (options) => ({ ...options, dropWhileBusy: "no" })],
  ];
  for (const [name, corrupt] of invalid) {
    it(`rejects a bad ${name} option`, () => {
      assert.throws(
        () => createGroundingStream(corrupt(validOptions()) as GroundingStreamOptions),
        (error: unknown) => error instanceof ArgumentError && error.message.includes(`option ${name} must`),
      );
    });
  }

  it("errors when the engine fails", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: { t: "the red cup" },
        frames: "k 9ms a|",
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe("5ms #", undefined, new Error("inference worker exited with code 1"));
    });
  });

  it("reports end-to-end latency from arrival", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { events } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: { t: "the red cup" },
        frames: "a-b-c-------e|",
        engine: { groundMs: 10 },
      });
      const latencies: number[] = [];
      events.subscribe((event) => {
        if (event.kind === "result") {
          latencies.push(event.endToEndMs);
        }
      });
      helpers.flush();
      // a runs at once; c waits from 4 to 10; e waits from 12 to 20.
      assert.deepStrictEqual(latencies, [10, 16, 18]);
    });
  });

  it("counts sequential latency from a free model", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { events } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: { t: "the red cup" },
        frames: "abc|",
        engine: { groundMs: 10 },
        dropWhileBusy: false,
      });
      const latencies: number[] = [];
      events.subscribe((event) => {
        if (event.kind === "result") {
          latencies.push(event.endToEndMs);
        }
      });
      helpers.flush();
      assert.deepStrictEqual(latencies, [10, 10, 10]);
    });
  });

  it("carries the image header into results", () => {
    const scheduler = createScheduler();
    scheduler.run(() => {
      const engine = new FakeEngine({ groundMs: 3 }, () => scheduler.now());
      const frame = makeFrame("cam", 0, 42);
      const results: GroundingEvent[] = [];
      createGroundingStream({
        engine,
        frames: of(frame),
        transcripts: of(makeTranscript("the red cup", 0)),
        parameters: of(parametersWith({})),
        scheduler,
      }).subscribe((event) => {
        if (event.kind === "result") {
          results.push(event);
        }
      });
      scheduler.flush();
      assert.equal(results.length, 1);
      assert.deepStrictEqual(results[0].header, { stamp: { sec: 42, nanosec: 0 }, frame_id: "cam" });
      assert.deepStrictEqual(results[0].command, { id: 1, transcript: "the red cup", expression: "the red cup" });
    });
  });

  it("releases the encoding on unsubscribe", () => {
    const scheduler = createScheduler();
    scheduler.run(() => {
      const engine = new FakeEngine({ groundMs: 10 }, () => scheduler.now());
      const subscription = createGroundingStream({
        engine,
        frames: of(makeFrame("a", 0)),
        transcripts: of(makeTranscript("the red cup", 0)),
        parameters: NEVER,
        scheduler,
      }).subscribe();
      scheduler.schedule(() => subscription.unsubscribe(), 4);
      scheduler.flush();
      // The inference running at unsubscribe still reads the encoding until it ends at 10.
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 10 }]);
    });
  });

  it("releases an encoding that arrives after a stop", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t 2ms s",
        texts: { t: "the red cup", s: "stop" },
        frames: "10ms a|",
        engine: { groundMs: 5, encodeMs: 8 },
      });
      helpers.expectObservable(tokens).toBe("11ms |");
      helpers.flush();
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 8 }]);
      assert.equal(engine.groundCalls.length, 0);
    });
  });
});
