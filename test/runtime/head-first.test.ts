import assert from "node:assert/strict";

import fc from "fast-check";

import { headFirstOrder } from "../../src/runtime/head-first";
import type { BlockSpec, ModelManifest } from "../../src/runtime/manifest";
import { readManifest } from "../../src/runtime/manifest-reader";
import { planExecution } from "../../src/runtime/plan";
import { TINY_MODEL_DIR } from "./helpers";

describe("head-first execution order", () => {
  let manifest: ModelManifest;
  const msOf = (block: BlockSpec): number => block.flops / 1e6;

  before(async () => {
    manifest = await readManifest(TINY_MODEL_DIR);
  });

  const plans = (): fc.Arbitrary<[boolean[], boolean]> => fc.tuple(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.boolean());

  it("keeps every step once, after its inputs", () => {
    fc.assert(
      fc.property(plans(), ([chosen, approximate]) => {
        const plan = planExecution(manifest, new Set(manifest.gateableBlocks.filter((_, gate) => chosen[gate])), approximate);
        const ordered = headFirstOrder(plan.steps, msOf);
        assert.equal(ordered.length, plan.steps.length);
        assert.equal(new Set(ordered.map(({ step }) => step)).size, plan.steps.length);

        const available = new Set(["image", "sentence"]);
        for (const { step } of ordered) {
          const inputs = step.kind === "alias" ? [step.from] : step.block.inputs;
          for (const input of inputs) {
            assert.ok(available.has(input), `${input} is read before it exists`);
          }
          (step.kind === "alias" ? [step.to] : step.block.outputs).forEach((output) => available.add(output));
        }
      }),
    );
  });

  it("ends each segment with a head and sums its time", () => {
    const plan = planExecution(manifest, new Set(manifest.gateableBlocks), false);
    const ordered = headFirstOrder(plan.steps, msOf);
    const starts = ordered.flatMap((entry, index) => (entry.segmentMs === undefined ? [] : [index]));
    assert.equal(starts.length, plan.heads.length, "one segment per head");

    starts.forEach((start, segment) => {
      const end = segment + 1 < starts.length ? starts[segment + 1] : ordered.length;
      const steps = ordered.slice(start, end).map(({ step }) => step);
      const last = steps[steps.length - 1];
      assert.equal(last.kind, "run", `segment ${segment} ends with a block`);
      assert.ok(last.kind === "run" && last.block.kind === "head", `segment ${segment} ends with a head`);
      const ms = steps.reduce((sum, step) => sum + (step.kind === "run" ? msOf(step.block) : 0), 0);
      assert.ok(Math.abs((ordered[start].segmentMs ?? 0) - ms) < 1e-9);
    });
  });

  it("runs the cheapest head first", () => {
    const plan = planExecution(manifest, new Set(manifest.gateableBlocks), false);
    const ordered = headFirstOrder(plan.steps, msOf);
    const firstSegmentMs = ordered[0].segmentMs ?? 0;
    // Any other head with everything it needs costs at least as much as the first segment.
    for (const head of plan.heads) {
      const alone = headFirstOrder(
        plan.steps.filter((step) => step.kind !== "run" || step.block.kind !== "head" || step.block === head),
        msOf,
      );
      assert.ok((alone[0].segmentMs ?? 0) >= firstSegmentMs - 1e-9, `${head.name} alone is cheaper than the first segment`);
    }
  });
});
