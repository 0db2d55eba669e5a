import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { openBag } from "../../src/bag";
import { BagError } from "../../src/errors";
import { GROUNDING_STATUS, type GroundingResult } from "../../src/msgs";
import { defaultParameters, type GroundingParameters } from "../../src/params/declarations";
import { OUTPUT_TOPICS, replayBag, ReplayInterruptedError, ThumbnailCollector, writeReport, type ReplayOptions } from "../../src/replay";
import { renderReport } from "../../src/replay/report";
import type { GroundingOutput } from "../../src/runtime/types";
import { chunkRecords, makeTempDir, readAll, RecordingLogger } from "../bag/helpers";
import { formatSummary } from "../../src/replay/summary-text";
import { FakeEngine } from "./fake-engine";
import { frameTimeNs, IMAGE_HEIGHT, IMAGE_WIDTH, writeSessionBag } from "./session-bag";

function parameters(overrides: Partial<GroundingParameters> = {}): GroundingParameters {
  return { ...defaultParameters(), ...overrides };
}

describe("replay: replayBag", function () {
  const temp = makeTempDir("replay");
  after(() => temp.remove());

  function options(bagPath: string, overrides: Partial<ReplayOptions>): ReplayOptions {
    return { bagPath, engine: new FakeEngine(), parameters: parameters(), rate: "max", logger: new RecordingLogger(), ...overrides };
  }

  it("grounds bag transcripts and writes the node's topics", async function () {
    const bagPath = join(temp.dir, "session.mcap");
    await writeSessionBag(bagPath, { frames: 6, intervalMs: 100, transcripts: [[150, "grab the white cup"]] });
    const outPath = join(temp.dir, "out", "session.grounded.mcap");

    const { summary, results } = await replayBag(options(bagPath, { outPath, includeInput: true }));
    assert.equal(summary.transcriptTopic, "/transcript");
    assert.equal(summary.commands, 1);
    assert.deepEqual(summary.frames, { received: 6, processed: 4, dropped: 0, rejected: 0, idle: 2 });
    assert.deepEqual(summary.results, { grounded: 4 });
    assert.equal(summary.computeRatio, 0.6);
    assert.equal(summary.output, outPath);
    assert.equal(results[0].expression, "the white cup");

    const output = await openBag(outPath);
    const counts = Object.fromEntries(output.topics.map((topic) => [topic.name, topic.messageCount]));
    assert.deepEqual(counts, {
      [OUTPUT_TOPICS.result.name]: 4,
      [OUTPUT_TOPICS.detections.name]: 4,
      [OUTPUT_TOPICS.annotations.name]: 4,
      "/camera/image_raw": 6,
      "/transcript": 1,
    });
    const messages = await readAll(output);
    const result = messages.find((message) => message.topic === OUTPUT_TOPICS.result.name)?.decode() as GroundingResult;
    assert.equal(result.status, GROUNDING_STATUS.GROUNDED);
    assert.equal(result.transcript, "grab the white cup");
    assert.deepEqual([result.bbox.center.position.x, result.bbox.size_x], [IMAGE_WIDTH / 2, IMAGE_WIDTH / 2]);
    await output.close();
  });

  it("writes empty detections and annotations when a command is stopped", async function () {
    const bagPath = join(temp.dir, "stopped.mcap");
    await writeSessionBag(bagPath, { frames: 6, intervalMs: 100, transcripts: [[50, "grab the white cup"], [250, "stop"]] });
    const outPath = join(temp.dir, "stopped-out", "stopped.mcap");

    const { summary } = await replayBag(options(bagPath, { outPath }));
    assert.deepEqual(summary.results, { grounded: 2 });
    const output = await openBag(outPath);
    const messages = await readAll(output);
    await output.close();
    const annotations = messages.filter((message) => message.topic === OUTPUT_TOPICS.annotations.name);
    const detections = messages.filter((message) => message.topic === OUTPUT_TOPICS.detections.name);
    assert.equal(annotations.length, 3);
    assert.deepEqual(annotations[2].decode(), { circles: [], points: [], texts: [] });
    assert.deepEqual((detections[2].decode() as { detections: unknown[] }).detections, []);
    assert.equal(detections[2].logTimeNs, frameTimeNs(0, 100) + 250_000_000n);
  });

  it("logs the end of a --commands stop at its time", async function () {
    const bagPath = join(temp.dir, "scheduled-stop.mcap");
    await writeSessionBag(bagPath, { frames: 6, intervalMs: 100 });
    const outPath = join(temp.dir, "scheduled-stop-out", "scheduled-stop.mcap");

    await replayBag(options(bagPath, { outPath, commands: [{ timeS: 0.05, text: "grab the white cup" }, { timeS: 0.25, text: "stop" }] }));
    const output = await openBag(outPath);
    const messages = await readAll(output);
    await output.close();
    const annotations = messages.filter((message) => message.topic === OUTPUT_TOPICS.annotations.name);
    assert.equal(annotations.length, 3);
    assert.equal(annotations[2].logTimeNs, frameTimeNs(0, 100) + 250_000_000n);
  });

  it("matches results to frames with repeated stamps", async function () {
    const bagPath = join(temp.dir, "repeated-stamps.mcap");
    await writeSessionBag(bagPath, { frames: 5, intervalMs: 100, transcripts: [[0, "grab the white cup"]], fixedStampNs: 5n * 1_000_000_000n });
    const outPath = join(temp.dir, "repeated-out", "x.mcap");

    // At bag rate each 150 ms inference is still running when the next frame arrives.
    const images: Array<{ firstByte: number; score: number }> = [];
    await replayBag(
      options(bagPath, {
        outPath,
        rate: 1,
        parameters: parameters({ min_score: 0 }),
        engine: new FakeEngine({ groundMs: 150, scoreFromFirstByte: true }),
        onResultImage: ({ image, result }) => images.push({ firstByte: image.kind === "raw" ? image.data[0] : -1, score: result.score }),
      }),
    );
    assert.ok(images.length >= 3, `${images.length} results`);
    for (const { firstByte, score } of images) {
      assert.equal(Math.round(score * 255), firstByte, "the result's frame is the one it was computed on");
    }
  });

  it("issues --commands at their offsets", async function () {
    const bagPath = join(temp.dir, "offsets.mcap");
    await writeSessionBag(bagPath, { frames: 6, intervalMs: 100 });
    const { summary, results } = await replayBag(
      options(bagPath, {
        commands: [
          { timeS: 0, text: "the mug" },
          { timeS: 0.25, text: "now the bowl" },
        ],
      }),
    );
    assert.equal(summary.commands, 2);
    assert.equal(summary.transcriptTopic, null);
    assert.deepEqual(results.map((result) => result.commandId), [1, 1, 1, 2, 2, 2]);
  });

  it("warns about a command after the last message", async function () {
    const bagPath = join(temp.dir, "late.mcap");
    await writeSessionBag(bagPath, { frames: 3, intervalMs: 100 });
    const logger = new RecordingLogger();
    await replayBag(options(bagPath, { logger, commands: [{ timeS: 0, text: "the mug" }, { timeS: 9, text: "the bowl" }] }));
    const late = logger.warnings().filter((line) => line.includes("the bowl"));
    assert.equal(late.length, 1, logger.warnings().join("\n"));
    assert.match(late[0], /"the bowl" at 9 s comes after the bag's last message at 0\.2 s, so no frame follows it/);
  });

  it("drops frames at bag rate but not at max rate", async function () {
    const bagPath = join(temp.dir, "busy.mcap");
    await writeSessionBag(bagPath, { frames: 10, intervalMs: 20 });
    const slow = (): FakeEngine => new FakeEngine({ groundMs: 100 });

    const realTime = await replayBag(options(bagPath, { engine: slow(), rate: 1, commands: [{ timeS: 0, text: "the mug" }] }));
    assert.ok(realTime.summary.frames.dropped > 0, `expected drops at rate 1, got ${JSON.stringify(realTime.summary.frames)}`);
    assert.equal(realTime.summary.frames.processed + realTime.summary.frames.dropped, 10);

    const maxRate = await replayBag(options(bagPath, { engine: slow(), rate: "max", commands: [{ timeS: 0, text: "the mug" }] }));
    assert.deepEqual(maxRate.summary.frames, { received: 10, processed: 10, dropped: 0, rejected: 0, idle: 0 });
    // Latency counts the 100 ms model time; the margin covers timers firing on whole ms.
    for (const result of maxRate.results) {
      assert.ok(result.endToEndMs >= 95, `latency ${result.endToEndMs} ms counts the model time`);
    }
  });

  it("scores results against ground truth", async function () {
    const bagPath = join(temp.dir, "truth.mcap");
    const centre = { x: IMAGE_WIDTH / 4, y: IMAGE_HEIGHT / 4, width: IMAGE_WIDTH / 2, height: IMAGE_HEIGHT / 2 };
    const corner = { x: 0, y: 0, width: 4, height: 4 };
    await writeSessionBag(bagPath, { frames: 4, intervalMs: 100, groundTruth: new Map([[0, centre], [1, corner], [2, null]]) });

    const { summary } = await replayBag(options(bagPath, { commands: [{ timeS: 0, text: "the mug" }] }));
    assert.equal(summary.accuracySamples, 3);
    assert.equal(summary.accuracy, 1 / 3);
  });

  it("reports null accuracy without ground truth", async function () {
    const bagPath = join(temp.dir, "no-truth.mcap");
    await writeSessionBag(bagPath, { frames: 2, intervalMs: 100 });
    const { summary } = await replayBag(options(bagPath, { commands: [{ timeS: 0, text: "the mug" }] }));
    assert.equal(summary.accuracy, null);
    assert.deepEqual(summary.latencyMs.p50 !== null, true);
  });

  it("leaves no output behind when the engine fails", async function () {
    const bagPath = join(temp.dir, "failing.mcap");
    await writeSessionBag(bagPath, { frames: 3, intervalMs: 100 });
    const engine = new FakeEngine();
    engine.ground = async (): Promise<GroundingOutput> => {
      throw new Error("worker exited");
    };
    const outFolder = join(temp.dir, "failing-out");

    await assert.rejects(replayBag(options(bagPath, { engine, outPath: join(outFolder, "x.mcap"), commands: [{ timeS: 0, text: "the mug" }] })), /worker exited/);
    assert.deepEqual(readdirSync(outFolder), []);
  });

  it("replays around a corrupt chunk and reports it", async function () {
    const bagPath = join(temp.dir, "corrupt.mcap");
    await writeSessionBag(bagPath, { frames: 30, intervalMs: 100, chunkSize: 4096 });
    const bytes = readFileSync(bagPath);
    const chunks = chunkRecords(bytes);
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    // Damage the compressed data of the second chunk: it is skipped, the others replay.
    const [start, end] = chunks[1];
    bytes.fill(0x55, start + 64, end - 8);
    writeFileSync(bagPath, bytes);
    const outPath = join(temp.dir, "corrupt-out", "x.mcap");

    const { summary } = await replayBag(options(bagPath, { outPath, commands: [{ timeS: 0, text: "the mug" }] }));
    assert.equal(summary.skippedChunks.length, 1);
    assert.match(summary.skippedChunks[0].file, /corrupt\.mcap$/);
    assert.ok(summary.frames.received > 0, "frames before and after the damage replay");
    assert.ok(summary.frames.received < 30, `the damaged chunk's frames are gone, received ${summary.frames.received} of 30`);
    assert.ok(existsSync(outPath), "the output bag is written");
    assert.match(formatSummary(summary), /Corrupt: {6}1 chunk\(s\) in .*corrupt\.mcap skipped, their messages not replayed: byte \d+ \(messages logged from \d+\.\d{3} s to \d+\.\d{3} s\)/);
    assert.match(renderReport(summary, [], []), /<th>Corrupt<\/th><td>1 chunk\(s\)/);
  });

  it("stops on abort and deletes the output", async function () {
    const bagPath = join(temp.dir, "long.mcap");
    await writeSessionBag(bagPath, { frames: 3, intervalMs: 60_000 });
    const outFolder = join(temp.dir, "aborted-out");
    const interrupt = new AbortController();
    const replay = replayBag(options(bagPath, { rate: 1, signal: interrupt.signal, outPath: join(outFolder, "x.mcap"), commands: [{ timeS: 0, text: "the mug" }] }));
    // The first frame is processed at once; the second is a minute away in bag time.
    setImmediate(() => interrupt.abort());

    await assert.rejects(replay, (error: unknown) => {
      assert.ok(error instanceof ReplayInterruptedError);
      assert.match(error.message, /Replay interrupted after \d+ messages; no output bag was written/);
      return true;
    });
    assert.deepEqual(readdirSync(outFolder), []);
  });

  it("names a bag cut before its first message", async function () {
    const whole = join(temp.dir, "whole.mcap");
    await writeSessionBag(whole, { frames: 6, intervalMs: 100, transcripts: [[150, "grab the white cup"]] });
    // The magic bytes and the header of a recording that has not written a chunk yet.
    const cut = join(temp.dir, "cut.mcap");
    writeFileSync(cut, readFileSync(whole).subarray(0, 40));
    await assert.rejects(replayBag(options(cut, {})), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /ends before its first complete message/);
      return true;
    });
  });

  it("rejects an invalid rate", async function () {
    await assert.rejects(replayBag(options("unused.mcap", { rate: 0 })), /Invalid rate 0: expected "max" or a positive number/);
  });

  it("writes a self-contained report", async function () {
    const bagPath = join(temp.dir, "report.mcap");
    await writeSessionBag(bagPath, { frames: 4, intervalMs: 100 });
    const thumbnails = new ThumbnailCollector();
    const logger = new RecordingLogger();
    const { summary, results } = await replayBag(options(bagPath, { logger, onResultImage: thumbnails.sink, commands: [{ timeS: 0, text: "the <mug>" }] }));
    const reportPath = join(temp.dir, "report", "report.html");
    await writeReport(reportPath, summary, results, await thumbnails.render(logger));

    const html = readFileSync(reportPath, "utf8");
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2, "latency and compute plots");
    assert.equal((html.match(/src="data:image\/jpeg;base64,/g) ?? []).length, 1, "one thumbnail per command");
    assert.match(html, /the &#60;mug&#62;/);
    assert.doesNotMatch(html, /(src|href)="https?:/);
  });
});
