import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

import { ArgumentError } from "../../src/errors";
import type { Box, CommandEncoding, GroundingOutput, GroundOptions, ImageInput } from "../../src/runtime/types";
import type { GroundingStreamEngine } from "../../src/stream";
import { runContentionBenchmark, type ContentionBenchmarkOptions, type ContentionFrame } from "../../bench/contention";
import { makeOutput } from "./fake-engine";

const ANSWER: Box = { x: 10, y: 10, width: 20, height: 20 };

/** Returns ANSWER for every frame after a few ms, or "not_found" for the image path "empty". */
class FixedAnswerEngine implements GroundingStreamEngine {
  onGround: () => void = () => undefined;

  async encode(text: string): Promise<CommandEncoding> {
    return { expression: text, tokenIds: [], unknownWords: [], handle: 1, gates: {} };
  }

  async ground(image: ImageInput, _command: CommandEncoding, options: GroundOptions): Promise<GroundingOutput> {
    this.onGround();
    await new Promise((resolve) => setTimeout(resolve, 2));
    const output = makeOutput(options, 2);
    if (image.kind === "file" && image.path === "empty") {
      return { ...output, status: "not_found", box: null };
    }
    return { ...output, box: ANSWER };
  }

  release(): void {
    return;
  }
}

function frame(index: number, truth: Box | null | undefined, path = "scene"): ContentionFrame {
  return {
    atMs: index * 40,
    header: { stamp: { sec: index, nanosec: 0 }, frame_id: `f${index}` },
    image: { kind: "file", path },
    truth,
  };
}

function childProcessIds(): string[] {
  const result = spawnSync("pgrep", ["-P", String(process.pid)], { encoding: "utf8" });
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
}

describe("contention benchmark", () => {
  it("scores accuracy against ground truth", async () => {
    const report = await runContentionBenchmark({
      engine: new FixedAnswerEngine(),
      frames: [
        frame(0, ANSWER),
        frame(1, { x: 12, y: 12, width: 20, height: 20 }),
        frame(2, { x: 100, y: 100, width: 20, height: 20 }),
        frame(3, null, "empty"),
        frame(4, null),
        frame(5, undefined),
      ],
      commands: [{ atMs: 0, text: "the red cup" }],
      policies: ["budget"],
      competitors: [0],
      settleMs: 0,
    });

    assert.equal(report.runs.length, 1);
    const run = report.runs[0];
    assert.equal(run.results, 6);
    // Correct: f0 (same box), f1 (IoU 0.68), f3 (absent, not found). Wrong: f2, f4. f5 has no truth.
    assert.equal(run.accuracy, 3 / 5);
    assert.equal(run.computeRatio, 1);
  });

  it("adds a fewest-blocks run scored against the same target", async () => {
    const engine = new FixedAnswerEngine();
    const budgets: number[] = [];
    engine.onGround = () => undefined;
    const ground = engine.ground.bind(engine);
    engine.ground = async (image, command, options) => {
      if (options.policy === "budget") {
        budgets.push(options.budgetMs ?? Number.NaN);
      }
      return { ...(await ground(image, command, options)), floorMs: 1.5 };
    };
    const report = await runContentionBenchmark({
      engine,
      frames: [frame(0, ANSWER), frame(1, ANSWER)],
      commands: [{ atMs: 0, text: "the red cup" }],
      policies: ["full"],
      competitors: [0],
      fewestBlocksRuns: true,
      parameters: { latency_budget_ms: 50 },
      settleMs: 0,
    });

    assert.deepEqual(report.runs.map((run) => run.label), ["full", "budget, fewest blocks"]);
    assert.equal(report.latencyBudgetMs, 50);
    const fewest = report.runs[1];
    assert.equal(fewest.policy, "budget");
    assert.ok(budgets.length === 2 && budgets.every((ms) => ms <= 1), `model budgets ${budgets.join(", ")}`);
    assert.equal(report.runs[0].fewestBlocksEstimateMs, null);
    assert.ok((fewest.fewestBlocksEstimateMs ?? 0) > 0, "budget results carry the stream's floor estimate");
  });

  it("leaves no competitor running", async () => {
    const engine = new FixedAnswerEngine();
    let competitorsDuringRun: string[] = [];
    engine.onGround = () => {
      competitorsDuringRun = childProcessIds();
    };
    await runContentionBenchmark({
      engine,
      frames: [frame(0, undefined), frame(1, undefined)],
      commands: [{ atMs: 0, text: "the red cup" }],
      policies: ["full"],
      competitors: [2],
      settleMs: 20,
    });
    assert.equal(competitorsDuringRun.length, 2);
    assert.deepStrictEqual(childProcessIds(), []);
  });

  const valid = (): ContentionBenchmarkOptions => ({
    engine: new FixedAnswerEngine(),
    frames: [frame(0, undefined)],
    commands: [],
  });
  const invalid: [string, Partial<ContentionBenchmarkOptions>][] = [
    ["option frames must be a non-empty array", { frames: [] }],
    ["option commands must be an array", { commands: undefined }],
    ["option frames[0].atMs is NaN", { frames: [{ ...frame(0, undefined), atMs: Number.NaN }] }],
    ["option commands[0].atMs is -5", { commands: [{ atMs: -5, text: "cup" }] }],
    ['option policies contains "fastest"', { policies: ["fastest" as "full"] }],
    ["option competitors contains 1.5", { competitors: [1.5] }],
  ];
  for (const [fragment, override] of invalid) {
    it(`rejects ${fragment.split(" ")[1]}: ${fragment.split(" ").slice(2).join(" ")}`, async () => {
      await assert.rejects(
        runContentionBenchmark({ ...valid(), ...override }),
        (error: unknown) => error instanceof ArgumentError && error.message.includes(fragment),
      );
    });
  }
});
