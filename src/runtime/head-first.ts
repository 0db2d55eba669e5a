/**
 * Head-first execution order. The result is the best anchor over the heads that ran, so
 * once one head has run, every later step only adds candidates. Ordering the steps so that
 * heads finish as early as possible lets the worker stop at a deadline with a result.
 */
import type { BlockSpec } from "./manifest";
import { IMAGE_TENSOR, SENTENCE_TENSOR } from "./manifest";
import type { PlanStep } from "./plan";

/** One step in head-first order. */
export interface OrderedStep {
  step: PlanStep;
  /**
   * On the first step of each head's segment (the steps that head still needs, then the
   * head): the predicted ms of the whole segment. Undefined on the other steps.
   */
  segmentMs?: number;
}

function inputsOf(step: PlanStep): string[] {
  return step.kind === "alias" ? [step.from] : step.block.inputs;
}

function outputsOf(step: PlanStep): string[] {
  return step.kind === "alias" ? [step.to] : step.block.outputs;
}

/** Each head's step index and the sorted indices of the steps it needs, itself included. */
type HeadClosures = Array<{ head: number; closure: number[] }>;

/** Closures per plan: plans are cached and immutable, so every frame of a plan reuses them. */
const closuresByPlan = new WeakMap<readonly PlanStep[], HeadClosures>();

function headClosures(steps: readonly PlanStep[]): HeadClosures {
  const producer = new Map<string, number>();
  steps.forEach((step, index) => {
    outputsOf(step).forEach((output) => producer.set(output, index));
  });

  /** Indices of the steps `index` needs, itself included. */
  const closure = (index: number, into: Set<number>): Set<number> => {
    if (into.has(index)) {
      return into;
    }
    into.add(index);
    for (const input of inputsOf(steps[index])) {
      const source = producer.get(input);
      if (source !== undefined && input !== IMAGE_TENSOR && input !== SENTENCE_TENSOR) {
        closure(source, into);
      }
    }
    return into;
  };
  return steps.flatMap((step, index) =>
    step.kind === "run" && step.block.kind === "head" ? [{ head: index, closure: [...closure(index, new Set())].sort((a, b) => a - b) }] : [],
  );
}

/**
 * Reorders plan steps (a valid execution order) into segments, one per head: the steps a
 * head still needs, in their plan order, then the head. The next segment is always the
 * cheapest one left by `predictMs`, so the first result comes as early as possible.
 */
export function headFirstOrder(steps: readonly PlanStep[], predictMs: (block: BlockSpec) => number): OrderedStep[] {
  let closures = closuresByPlan.get(steps);
  if (closures === undefined) {
    closures = headClosures(steps);
    closuresByPlan.set(steps, closures);
  }
  const costOf = (index: number): number => {
    const step = steps[index];
    return step.kind === "run" ? predictMs(step.block) : 0;
  };

  const done = new Set<number>();
  const ordered: OrderedStep[] = [];
  const remaining = new Map(closures.map(({ head, closure }) => [head, closure]));
  while (remaining.size > 0) {
    let best: { head: number; segment: number[]; ms: number } | undefined;
    for (const [head, closure] of remaining) {
      const segment = closure.filter((index) => !done.has(index));
      const ms = segment.reduce((sum, index) => sum + costOf(index), 0);
      if (best === undefined || ms < best.ms) {
        best = { head, segment, ms };
      }
    }
    if (best === undefined) {
      break;
    }
    const { head, segment, ms } = best;
    remaining.delete(head);
    segment.forEach((index, position) => {
      done.add(index);
      ordered.push(position === 0 ? { step: steps[index], segmentMs: ms } : { step: steps[index] });
    });
  }
  return ordered;
}
