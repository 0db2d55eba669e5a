/**
 * Turns a set of selected gateable blocks into the ordered list of blocks to run,
 * following the execution rules of the block-graph format:
 * - a block with gate null (mandatory, heads, approximators) is never gated off;
 * - a skipped block with an identity skip passes its input through;
 * - a skipped fusion with a softskip skip is rebuilt by the first approximator, in manifest
 *   order, whose inputs are available, but only when `approximate` is set (softskip and
 *   budget policies);
 * - a head runs when its input is available, and a block runs only if a running head
 *   needs its output, so skipping `fuse.s32` also skips stage 5.
 */
import type { BlockSpec, ModelManifest } from "./manifest";
import { IMAGE_TENSOR, SENTENCE_TENSOR } from "./manifest";

export type PlanStep =
  | { kind: "run"; block: BlockSpec }
  /** Identity skip of `block`: tensor `to` is tensor `from`. */
  | { kind: "alias"; block: BlockSpec; from: string; to: string };

export interface ExecutionPlan {
  /** Steps in a valid execution order. */
  readonly steps: readonly PlanStep[];
  /** Heads that run, in execution order. */
  readonly heads: readonly BlockSpec[];
  /** Names of the blocks that run, in execution order. */
  readonly executedBlocks: readonly string[];
  /** FLOPs of the blocks that run, approximators included. */
  flops: number;
  /** flops / FLOPs of all non-approximator blocks. */
  computeRatio: number;
}

/**
 * Plans per manifest, by selection. A plan depends only on which gateable blocks are
 * selected and on `approximate`, so there are at most 2 x 2^gates of them, and the budget
 * policy's search requests the same ones on every frame.
 */
const planCache = new WeakMap<ModelManifest, Map<string, ExecutionPlan>>();

/**
 * Plans one inference. The returned plan is shared with other callers and frozen, so it
 * must not be changed.
 *
 * @param selected gateable blocks the policy chose; other gateable blocks are skipped.
 * @param approximate rebuild skipped fusions with approximators (softskip and budget policies).
 */
export function planExecution(manifest: ModelManifest, selected: ReadonlySet<string>, approximate: boolean): ExecutionPlan {
  let cache = planCache.get(manifest);
  if (cache === undefined) {
    cache = new Map();
    planCache.set(manifest, cache);
  }
  const key = `${approximate ? "rebuild" : "drop"}:${manifest.gateableBlocks.filter((name) => selected.has(name)).join(",")}`;
  let plan = cache.get(key);
  if (plan === undefined) {
    plan = buildPlan(manifest, selected, approximate);
    cache.set(key, plan);
  }
  return plan;
}

function buildPlan(manifest: ModelManifest, selected: ReadonlySet<string>, approximate: boolean): ExecutionPlan {
  const candidates = activateBlocks(manifest, selected, approximate);
  const steps = keepNeeded(candidates);

  const executed = steps.filter((step) => step.kind === "run").map((step) => step.block);
  const flops = executed.reduce((sum, block) => sum + block.flops, 0);
  return Object.freeze({
    steps: Object.freeze(steps),
    heads: Object.freeze(executed.filter((block) => block.kind === "head")),
    executedBlocks: Object.freeze(executed.map((block) => block.name)),
    flops,
    computeRatio: flops / manifest.fullFlops,
  });
}

/**
 * Finds every block that can run under the selection. One pass in manifest order is
 * enough because the manifest is an execution order: an approximator runs when its
 * target is still missing and its source exists by then, fused or rebuilt by an earlier
 * approximator.
 */
function activateBlocks(manifest: ModelManifest, selected: ReadonlySet<string>, approximate: boolean): PlanStep[] {
  const available = new Set<string>([IMAGE_TENSOR, SENTENCE_TENSOR]);
  /** Outputs of skipped softskip fusions that an approximator may still provide. */
  const approximable = new Set<string>();
  const steps: PlanStep[] = [];

  for (const block of manifest.blocks) {
    if (!block.inputs.every((input) => available.has(input))) {
      continue;
    }
    const step = decideBlock(block, selected, approximate, approximable);
    if (step === undefined) {
      continue;
    }

    steps.push(step);
    if (step.kind === "alias") {
      available.add(step.to);
    } else {
      block.outputs.forEach((output) => available.add(output));
    }
    if (block.kind === "approximator") {
      approximable.delete(block.outputs[0]);
    }
  }
  return steps;
}

/** Decides one block whose inputs are available; undefined means it does not run. */
function decideBlock(block: BlockSpec, selected: ReadonlySet<string>, approximate: boolean, approximable: Set<string>): PlanStep | undefined {
  if (block.kind === "approximator") {
    return approximable.has(block.outputs[0]) ? { kind: "run", block } : undefined;
  }
  if (block.gate === null || selected.has(block.name)) {
    return { kind: "run", block };
  }
  if (block.skip === "identity") {
    return { kind: "alias", block, from: block.inputs[0], to: block.outputs[0] };
  }
  if (block.skip === "softskip" && approximate) {
    block.outputs.forEach((output) => approximable.add(output));
  }
  return undefined;
}

/** Drops steps whose outputs no running head reads, directly or through other steps. */
function keepNeeded(steps: PlanStep[]): PlanStep[] {
  const needed = new Set<string>();
  const kept: PlanStep[] = [];
  for (let index = steps.length - 1; index >= 0; index -= 1) {
    const step = steps[index];
    if (step.kind === "alias") {
      if (needed.has(step.to)) {
        needed.add(step.from);
        kept.push(step);
      }
      continue;
    }
    const isHead = step.block.kind === "head";
    if (isHead || step.block.outputs.some((output) => needed.has(output))) {
      step.block.inputs.forEach((input) => needed.add(input));
      kept.push(step);
    }
  }
  return kept.reverse();
}
