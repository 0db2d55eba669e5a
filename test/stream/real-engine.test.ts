import assert from "node:assert/strict";
import path from "node:path";

import { concatMap, delay, from, lastValueFrom, of, toArray } from "rxjs";

import { loadGroundingEngine, type OnnxGroundingEngine } from "../../src/runtime/engine";
import type { ImageInput } from "../../src/runtime/types";
import { createGroundingStream, monotonicNow } from "../../src/stream";
import type { FrameInput, GroundingEvent, RejectionEvent } from "../../src/stream/types";
import { runContentionBenchmark, type ContentionFrame } from "../../bench/contention";
import { TINY_MODEL_DIR } from "../runtime/helpers";
import { parametersWith } from "./fake-engine";

const SCENE: ImageInput = { kind: "file", path: path.join(TINY_MODEL_DIR, "goldens/scene.png") };
/** JPEG start-of-image and APP0 marker, then nothing: a truncated file. */
const TRUNCATED_JPEG: ImageInput = { kind: "compressed", format: "jpeg", data: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]) };

function frameAt(name: string, image: ImageInput): FrameInput {
  return { header: { stamp: { sec: 7, nanosec: 5 }, frame_id: name }, receivedAtMs: monotonicNow(), topic: "camera/image", image };
}

describe("grounding stream on the tiny model", () => {
  let engine: OnnxGroundingEngine;

  before(async () => {
    engine = await loadGroundingEngine(TINY_MODEL_DIR, { numThreads: 1 });
  });

  after(async () => {
    await engine.close();
  });

  it("grounds frames and rejects a corrupt one", async () => {
    // Spaced so that each frame finds the model free and none is dropped as busy.
    const frames = from(["a", "corrupt", "b"]).pipe(
      concatMap((name) => of(name).pipe(delay(150))),
      concatMap((name) => of(frameAt(name, name === "corrupt" ? TRUNCATED_JPEG : SCENE))),
    );
    const events = await lastValueFrom(
      createGroundingStream({
        engine,
        frames,
        transcripts: of({ text: "um, grab the red cup please", receivedAtMs: monotonicNow(), topic: "transcript" }),
        parameters: of(parametersWith({ policy: "budget", latency_budget_ms: 500, max_image_age_ms: 0 })),
      }).pipe(toArray()),
    );

    const results = events.filter((event): event is GroundingEvent => event.kind === "result");
    const rejections = events.filter((event): event is RejectionEvent => event.kind === "rejected");
    assert.deepStrictEqual(
      results.map((event) => event.header.frame_id),
      ["a", "b"],
    );
    assert.equal(rejections.length, 1);
    assert.equal(rejections[0].topic, "camera/image");
    assert.equal(rejections[0].header?.frame_id, "corrupt");

    for (const result of results) {
      assert.equal(result.command.expression, "the red cup");
      assert.equal(result.budgetMs, 500);
      assert.equal(result.output.policy, "budget");
      assert.ok(Number.isFinite(result.output.predictedMs), "predictedMs is reported");
      assert.ok((result.output.budgetMs ?? 0) > 0, "a positive model budget was planned");
      // The stream and the engine both time with performance.now().
      assert.ok(result.endToEndMs >= result.output.latencyMs.total);
      assert.deepStrictEqual(result.header.stamp, { sec: 7, nanosec: 5 });
    }
  });

  it("runs the contention benchmark", async function () {
    this.timeout(120000);
    const frames: ContentionFrame[] = [0, 1, 2, 3, 4, 5].map((index) => ({
      atMs: index * 100,
      header: { stamp: { sec: index, nanosec: 0 }, frame_id: `f${index}` },
      image: SCENE,
      truth: index % 2 === 0 ? { x: 0, y: 0, width: 96, height: 64 } : undefined,
    }));
    const report = await runContentionBenchmark({
      engine,
      frames,
      commands: [{ atMs: 0, text: "the red cup" }],
      competitors: [0, 1],
      parameters: { latency_budget_ms: 300 },
      settleMs: 50,
    });

    assert.equal(report.latencyBudgetMs, 300);
    assert.deepStrictEqual(
      report.runs.map((run) => `${run.policy}/${run.competitors}`),
      ["full/0", "budget/0", "full/1", "budget/1"],
    );
    for (const run of report.runs) {
      assert.equal(run.frames, 6);
      assert.ok(run.results >= 1, `${run.policy}/${run.competitors} produced ${run.results} results`);
      assert.equal(run.results + run.dropped.busy + run.dropped.stale + run.rejected, 6);
      const label = `${run.policy}/${run.competitors}`;
      assert.ok(run.overBudgetShare !== null, `${label} has an over-budget share`);
      assert.ok(run.overBudgetShare >= 0 && run.overBudgetShare <= 1, `${label} over-budget share ${run.overBudgetShare}`);
      assert.ok(run.latencyMs.p50 !== null, `${label} has a p50`);
      assert.ok(run.latencyMs.p99 !== null, `${label} has a p99`);
      assert.ok(run.latencyMs.p50 <= run.latencyMs.p99, `${label} p50 ${run.latencyMs.p50} > p99 ${run.latencyMs.p99}`);
      assert.ok(run.computeRatio !== null, `${label} has a compute ratio`);
      assert.ok(run.computeRatio > 0 && run.computeRatio <= 1, `${label} compute ratio ${run.computeRatio}`);
    }
    const full = report.runs[0];
    assert.equal(full.computeRatio, 1);
  });
});
