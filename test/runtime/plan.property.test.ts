import assert from "node:assert/strict";

import fc from "fast-check";

import { BlockCostModel } from "../../src/runtime/cost-model";
import type { ModelManifest } from "../../src/runtime/manifest";
import { readManifest } from "../../src/runtime/manifest-reader";
import { planExecution } from "../../src/runtime/plan";
import { selectBlocks } from "../../src/runtime/policies";
import { TINY_MODEL_DIR } from "./helpers";

describe("execution plan properties", () => {
  let manifest: ModelManifest;

  before(async () => {
    manifest = await readManifest(TINY_MODEL_DIR);
  });

  const selections = (): fc.Arbitrary<[boolean[], boolean]> => fc.tuple(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.boolean());

  it("reads only tensors produced earlier", () => {
    fc.assert(
      fc.property(selections(), ([chosen, approximate]) => {
        const selected = new Set(manifest.gateableBlocks.filter((_, gate) => chosen[gate]));
        const plan = planExecution(manifest, selected, approximate);
        const available = new Set(["image", "sentence"]);
        for (const step of plan.steps) {
          if (step.kind === "alias") {
            assert.ok(available.has(step.from), `alias reads ${step.from} before it exists`);
            available.add(step.to);
            continue;
          }
          for (const input of step.block.inputs) {
            assert.ok(available.has(input), `${step.block.name} reads ${input} before it exists`);
          }
          step.block.outputs.forEach((output) => available.add(output));
        }
      }),
    );
  });

  it("runs no gated block outside the selection", () => {
    fc.assert(
      fc.property(selections(), ([chosen, approximate]) => {
        const selected = new Set(manifest.gateableBlocks.filter((_, gate) => chosen[gate]));
        const plan = planExecution(manifest, selected, approximate);
        for (const name of plan.executedBlocks) {
          const block = manifest.blocks.find((candidate) => candidate.name === name);
          assert.ok(block !== undefined);
          assert.ok(block.gate === null || selected.has(name), `${name} ran without being selected`);
        }
      }),
    );
  });

  it("keeps every block a running head needs", () => {
    fc.assert(
      fc.property(selections(), ([chosen, approximate]) => {
        const selected = new Set(manifest.gateableBlocks.filter((_, gate) => chosen[gate]));
        const plan = planExecution(manifest, selected, approximate);
        const fusionsRun = plan.executedBlocks.filter((name) => name.startsWith("fuse.")).length;
        const approximatorsRun = plan.executedBlocks.filter((name) => name.startsWith("approx.")).length;

        assert.equal(plan.heads.length > 0, fusionsRun > 0, "heads run exactly when a fusion runs");
        if (!approximate) {
          assert.equal(approximatorsRun, 0, "approximators run only when approximating");
          assert.equal(plan.heads.length, fusionsRun, "one head per fused scale under hard skips");
        } else if (fusionsRun > 0) {
          assert.equal(plan.heads.length, 3, "every scale is fused or approximated");
        }
      }),
    );
  });

  it("grows compute with the selection under hard skips", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), (chosen, extra) => {
        const selected = new Set(manifest.gateableBlocks.filter((_, gate) => chosen[gate]));
        const larger = new Set([...selected, manifest.gateableBlocks[extra]]);
        const smallerPlan = planExecution(manifest, selected, false);
        const largerPlan = planExecution(manifest, larger, false);
        assert.ok(largerPlan.flops >= smallerPlan.flops, `${[...larger].join(",")} runs fewer FLOPs than ${[...selected].join(",")}`);
        assert.ok(largerPlan.computeRatio <= 1 + 1e-12);
      }),
    );
  });

  it("keeps budget plans within the budget", () => {
    const gate = fc.float({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.array(gate, { minLength: 4, maxLength: 4 }), fc.double({ min: 0.01, max: 2, noNaN: true }), fc.boolean(), (gates, budgetMs, softskip) => {
        const costModel = new BlockCostModel({ initialMsPerFlop: 1e-6, perRunMs: 0.01 });
        const selection = selectBlocks(manifest, Float32Array.from(gates), { policy: "budget", budgetMs, softskip }, costModel);
        const plan = planExecution(manifest, selection.selected, selection.approximate);
        const predictedMs = plan.steps.reduce((sum, step) => (step.kind === "run" ? sum + costModel.predictMs(step.block) : sum), 0);

        assert.ok(plan.heads.length > 0, "a budget plan always runs a head");
        const fusions = [...selection.selected].filter((name) => name.startsWith("fuse."));
        assert.ok(predictedMs <= budgetMs + 1e-9 || selection.selected.size === 1, `predicted ${predictedMs} ms over budget ${budgetMs} ms with ${[...selection.selected].join(",")}`);
        assert.ok(fusions.length >= 1, "at least one fusion branch runs");
      }),
    );
  });
});
