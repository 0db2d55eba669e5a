import assert from "node:assert/strict";

import { ArgumentError } from "../../src/errors";
import { BlockCostModel } from "../../src/runtime/cost-model";
import type { ModelManifest } from "../../src/runtime/manifest";
import { readManifest } from "../../src/runtime/manifest-reader";
import { planExecution } from "../../src/runtime/plan";
import { selectBlocks } from "../../src/runtime/policies";
import type { GroundOptions } from "../../src/runtime/types";
import { TINY_MODEL_DIR } from "./helpers";

/** Gate probabilities in gate order: stage4.res1, fuse.s8, fuse.s16, fuse.s32. */
function gates(res1: number, s8: number, s16: number, s32: number): Float32Array {
  return Float32Array.from([res1, s8, s16, s32]);
}

describe("execution plans", () => {
  let manifest: ModelManifest;

  before(async () => {
    manifest = await readManifest(TINY_MODEL_DIR);
  });

  function executed(policyGates: Float32Array, options: GroundOptions, costModel = new BlockCostModel()): string[] {
    const selection = selectBlocks(manifest, policyGates, options, costModel);
    return [...planExecution(manifest, selection.selected, selection.approximate).executedBlocks];
  }

  it("full runs every non-approximator block", () => {
    const plan = planExecution(manifest, new Set(manifest.gateableBlocks), false);
    assert.deepEqual(plan.executedBlocks, ["stem", "stage4.down", "stage4.res1", "stage5.down", "fuse.s8", "fuse.s16", "fuse.s32", "head.s8", "head.s16", "head.s32"]);
    assert.equal(plan.computeRatio, 1);
    assert.equal(executed(gates(0, 0, 0, 0), { policy: "full" }).length, 10);
  });

  it("lgmdp drops a skipped scale and its stage", () => {
    const blocks = executed(gates(0.9, 0.9, 0.9, 0.1), { policy: "lgmdp" });
    assert.deepEqual(blocks, ["stem", "stage4.down", "stage4.res1", "fuse.s8", "fuse.s16", "head.s8", "head.s16"]);
  });

  it("lgmdp passes a skipped residual block through", () => {
    const selection = selectBlocks(manifest, gates(0.1, 0.9, 0.9, 0.9), { policy: "lgmdp" }, new BlockCostModel());
    const plan = planExecution(manifest, selection.selected, selection.approximate);
    assert.ok(!plan.executedBlocks.includes("stage4.res1"));
    assert.ok(plan.executedBlocks.includes("stage5.down"));
    assert.deepEqual(
      plan.steps.filter((step) => step.kind === "alias").map((step) => step.kind === "alias" && [step.from, step.to]),
      [["c4.0", "c4"]],
    );
  });

  it("lgmdp honours a gate threshold override", () => {
    const blocks = executed(gates(0.7, 0.7, 0.7, 0.9), { policy: "lgmdp", gateThreshold: 0.8 });
    assert.deepEqual(blocks, ["stem", "stage4.down", "stage5.down", "fuse.s32", "head.s32"]);
  });

  it("softskip approximates skipped scales", () => {
    const blocks = executed(gates(0.9, 0.1, 0.9, 0.1), { policy: "softskip" });
    assert.deepEqual(blocks, ["stem", "stage4.down", "stage4.res1", "fuse.s16", "approx.s8_from_s16", "approx.s32_from_s16", "head.s8", "head.s16", "head.s32"]);
  });

  it("softskip chains approximators from one scale", () => {
    const blocks = executed(gates(0.1, 0.1, 0.1, 0.9), { policy: "softskip" });
    assert.deepEqual(blocks, ["stem", "stage4.down", "stage5.down", "fuse.s32", "approx.s16_from_s32", "approx.s8_from_s16", "head.s8", "head.s16", "head.s32"]);
  });

  it("lgmdp keeps the most open branch when all are low", () => {
    assert.deepEqual(executed(gates(0.1, 0.2, 0.3, 0.1), { policy: "lgmdp" }), ["stem", "stage4.down", "fuse.s16", "head.s16"]);
    assert.deepEqual(executed(gates(0.1, 0.2, 0.3, 0.1), { policy: "softskip" }), [
      "stem",
      "stage4.down",
      "fuse.s16",
      "approx.s8_from_s16",
      "approx.s32_from_s16",
      "head.s8",
      "head.s16",
      "head.s32",
    ]);
  });

  it("static runs the manifest's fixed set for any gates", () => {
    const first = executed(gates(0.1, 0.9, 0.1, 0.9), { policy: "static" });
    const second = executed(gates(0.9, 0.1, 0.9, 0.1), { policy: "static" });
    assert.deepEqual(first, second);
    assert.deepEqual(first, ["stem", "stage4.down", "stage4.res1", "fuse.s16", "head.s16"]);
  });

  it("shares one frozen plan per selection", () => {
    const plan = planExecution(manifest, new Set(["fuse.s16", "stage4.res1"]), true);
    assert.equal(planExecution(manifest, new Set(["stage4.res1", "fuse.s16", "not.a.block"]), true), plan);
    assert.notEqual(planExecution(manifest, new Set(["fuse.s16", "stage4.res1"]), false), plan);
    assert.ok(Object.isFrozen(plan));
    assert.ok(Object.isFrozen(plan.steps));
    assert.ok(Object.isFrozen(plan.executedBlocks));
  });

  it("computes the ratio from executed FLOPs", () => {
    const plan = planExecution(manifest, new Set(["fuse.s16"]), true);
    const flops = manifest.blocks.filter((block) => plan.executedBlocks.includes(block.name)).reduce((sum, block) => sum + block.flops, 0);
    assert.equal(plan.flops, flops);
    assert.equal(plan.computeRatio, flops / manifest.fullFlops);
  });

  describe("budget", () => {
    /** Cost model where each block costs its FLOPs at 1 MFLOP per ms, plus nothing else. */
    function flopCostModel(): BlockCostModel {
      return new BlockCostModel({ initialMsPerFlop: 1e-6, perRunMs: 0 });
    }

    function predictedMs(blocks: readonly string[]): number {
      return manifest.blocks.filter((block) => blocks.includes(block.name)).reduce((sum, block) => sum + block.flops * 1e-6, 0);
    }

    it("runs the full graph when the budget allows it", () => {
      const blocks = executed(gates(0.5, 0.5, 0.5, 0.5), { policy: "budget", budgetMs: 1e9 }, flopCostModel());
      assert.deepEqual(blocks.filter((name) => !name.startsWith("approx.")).sort(), executed(gates(0, 0, 0, 0), { policy: "full" }).sort());
    });

    it("chooses fewer blocks as the budget shrinks", () => {
      const fullMs = predictedMs(executed(gates(0, 0, 0, 0), { policy: "full" }));
      let previousFlops = Infinity;
      let previousCount = Infinity;
      for (const fraction of [1.2, 1, 0.95, 0.9, 0.8, 0.6, 0.4, 0.2, 0.05]) {
        const budgetMs = fullMs * fraction;
        const selection = selectBlocks(manifest, gates(0.6, 0.7, 0.8, 0.9), { policy: "budget", budgetMs }, flopCostModel());
        const plan = planExecution(manifest, selection.selected, selection.approximate);
        assert.ok(plan.flops <= previousFlops, `budget ${budgetMs} ms ran more FLOPs than a larger budget`);
        assert.ok(selection.selected.size <= previousCount, `budget ${budgetMs} ms selected more blocks than a larger budget`);
        assert.ok(plan.heads.length > 0, `budget ${budgetMs} ms left no head running`);
        previousFlops = plan.flops;
        previousCount = selection.selected.size;
      }
      assert.equal(previousCount, 1);
    });

    it("stays within the budget when one branch fits", () => {
      const cheapest = Math.min(
        ...["fuse.s8", "fuse.s16", "fuse.s32"].map((fusion) => predictedMs(planExecution(manifest, new Set([fusion]), true).executedBlocks)),
      );
      const budgetMs = cheapest * 1.5;
      const selection = selectBlocks(manifest, gates(0.5, 0.5, 0.5, 0.5), { policy: "budget", budgetMs }, flopCostModel());
      const plan = planExecution(manifest, selection.selected, true);
      assert.ok(predictedMs(plan.executedBlocks) <= budgetMs);
      assert.equal(selection.budgetMs, budgetMs);
    });

    it("prefers blocks with higher gates at equal cost", () => {
      const costModel = flopCostModel();
      const fullMs = predictedMs(executed(gates(0, 0, 0, 0), { policy: "full" }));
      const high8 = selectBlocks(manifest, gates(0.1, 0.99, 0.01, 0.01), { policy: "budget", budgetMs: fullMs * 0.97 }, costModel);
      assert.ok(high8.selected.has("fuse.s8"));
    });

    it("selects only blocks that run", () => {
      const fullMs = predictedMs(executed(gates(0, 0, 0, 0), { policy: "full" }));
      for (const softskip of [true, false]) {
        for (const fraction of [1, 0.8, 0.6, 0.4, 0.2]) {
          const selection = selectBlocks(manifest, gates(0.01, 0.95, 0.3, 0.2), { policy: "budget", budgetMs: fullMs * fraction, softskip }, flopCostModel());
          const plan = planExecution(manifest, selection.selected, softskip);
          for (const name of selection.selected) {
            const without = planExecution(manifest, new Set([...selection.selected].filter((other) => other !== name)), softskip);
            assert.notDeepEqual(without.executedBlocks, plan.executedBlocks, `${name} was selected at ${fraction} of full but changes nothing (softskip ${softskip})`);
          }
        }
      }
    });

    it("prefers a second branch to an unneeded block", () => {
      // The s8 branch starts (best gate per ms); the residual block only runs once the s16 branch does.
      const branchesMs = predictedMs(planExecution(manifest, new Set(["fuse.s8", "fuse.s16"]), false).executedBlocks);
      const selection = selectBlocks(manifest, gates(0.01, 0.95, 0.3, 0.2), { policy: "budget", budgetMs: branchesMs, softskip: false }, flopCostModel());
      assert.ok(selection.selected.has("fuse.s8"), `selected ${[...selection.selected].join(", ")}`);
      assert.ok(selection.selected.has("fuse.s16"), `selected ${[...selection.selected].join(", ")}`);
      assert.ok(!selection.selected.has("stage4.res1"));
    });

    it("hard-skips when SoftSkip is off", () => {
      const selection = selectBlocks(manifest, gates(0.5, 0.5, 0.5, 0.5), { policy: "budget", budgetMs: 1e-3, softskip: false }, flopCostModel());
      const plan = planExecution(manifest, selection.selected, selection.approximate);
      assert.equal(selection.approximate, false);
      assert.ok(plan.executedBlocks.every((name) => !name.startsWith("approx.")));
      assert.equal(plan.heads.length, 1);
    });

    it("learns block times from measurements", () => {
      const costModel = flopCostModel();
      const stem = manifest.blocks[0];
      const before = costModel.predictMs(stem);
      costModel.observe([stem], { stem: before * 10 });
      assert.equal(costModel.predictMs(stem), before * 10);
      costModel.observe([stem], { stem: 0 });
      assert.ok(Math.abs(costModel.predictMs(stem) - before * 8) < 1e-9);
    });
  });

  describe("options", () => {
    const cases: Array<[string, GroundOptions, RegExp]> = [
      ["unknown policy", { policy: "fastest" as GroundOptions["policy"] }, /policy is "fastest" but must be one of full, lgmdp, softskip, budget, static/],
      ["budget without budgetMs", { policy: "budget" }, /budgetMs is undefined but the budget policy needs a positive number/],
      ["negative budget", { policy: "budget", budgetMs: -5 }, /budgetMs is -5/],
      ["zero slowdown", { policy: "budget", budgetMs: 5, slowdown: 0 }, /slowdown is 0 but must be a positive number/],
      ["NaN budget", { policy: "budget", budgetMs: NaN }, /budgetMs is NaN/],
      ["gate threshold above one", { policy: "lgmdp", gateThreshold: 2 }, /gateThreshold is 2 but must be a number in 0\.\.1/],
      ["negative minimum score", { policy: "full", minScore: -0.1 }, /minScore is -0\.1/],
    ];
    for (const [name, options, fragment] of cases) {
      it(`rejects ${name}`, () => {
        assert.throws(() => selectBlocks(manifest, gates(0.5, 0.5, 0.5, 0.5), options, new BlockCostModel()), (error: unknown) => {
          assert.ok(error instanceof ArgumentError);
          assert.match(error.message, fragment);
          return true;
        });
      });
    }
  });
});
