/**
 * The budget policy's selection: a greedy knapsack over gateable blocks. Each step adds
 * the block with the highest gate probability per predicted millisecond it adds to the
 * plan (its dependencies included, since a fusion drags in its backbone stage), as long as
 * the predicted inference time stays within the budget.
 */
import type { BlockCostModel } from "./cost-model";
import type { ModelManifest } from "./manifest";
import type { ExecutionPlan } from "./plan";
import { planExecution } from "./plan";

/**
 * Returns the gateable blocks to run within `budgetMs`. At least one fusion branch always
 * runs, even when its predicted time alone exceeds the budget, so every inference returns a box.
 */
export function selectWithinBudget(
  manifest: ModelManifest,
  gates: Float32Array,
  costModel: BlockCostModel,
  budgetMs: number,
  approximate: boolean,
): Set<string> {
  const planMs = (plan: ExecutionPlan): number =>
    plan.steps.reduce((sum, step) => (step.kind === "run" ? sum + costModel.predictMs(step.block) : sum), costModel.overheadMs);
  const predictMs = (set: ReadonlySet<string>): number => planMs(planExecution(manifest, set, approximate));

  const selected = cheapestStart(manifest, gates, approximate, predictMs);
  let current = planExecution(manifest, selected, approximate);
  let currentMs = planMs(current);

  for (;;) {
    let best: { name: string; plan: ExecutionPlan; ms: number; value: number } | undefined;
    for (const [gate, name] of manifest.gateableBlocks.entries()) {
      if (selected.has(name)) {
        continue;
      }
      const plan = planExecution(manifest, new Set([...selected, name]), approximate);
      // A block that no running head needs does not run, so it would look free. Selected
      // anyway, it would run as soon as a later block made it needed, whatever its gate.
      if (sameSteps(plan, current)) {
        continue;
      }
      const ms = planMs(plan);
      if (ms > budgetMs) {
        continue;
      }
      // A block that makes the plan cheaper (it replaces a slower approximator) is free.
      const value = gates[gate] / Math.max(ms - currentMs, 1e-6);
      if (best === undefined || value > best.value) {
        best = { name, plan, ms, value };
      }
    }
    if (best === undefined) {
      return selected;
    }
    selected.add(best.name);
    current = best.plan;
    currentMs = best.ms;
  }
}

/** Returns whether two plans run the same blocks and pass the same tensors through. */
function sameSteps(a: ExecutionPlan, b: ExecutionPlan): boolean {
  return a.steps.length === b.steps.length && a.steps.every((step, index) => step.kind === b.steps[index].kind && step.block === b.steps[index].block);
}

/**
 * Starts from no gateable blocks when some head still runs that way. Approximators need a
 * running branch, so usually none does, and the start is the one fusion branch with the
 * best gate per predicted ms.
 */
function cheapestStart(
  manifest: ModelManifest,
  gates: Float32Array,
  approximate: boolean,
  predictMs: (set: ReadonlySet<string>) => number,
): Set<string> {
  if (planExecution(manifest, new Set(), approximate).heads.length > 0) {
    return new Set();
  }
  const fusions = manifest.blocks.filter((block) => block.kind === "fusion" && block.gate !== null);
  if (fusions.length === 0) {
    return new Set();
  }
  const baseMs = predictMs(new Set());
  let best = fusions[0];
  let bestValue = -Infinity;
  for (const fusion of fusions) {
    const value = gates[fusion.gate as number] / Math.max(predictMs(new Set([fusion.name])) - baseMs, 1e-6);
    if (value > bestValue) {
      best = fusion;
      bestValue = value;
    }
  }
  return new Set([best.name]);
}
