/** Selection of the result from the heads' best anchors. */
import type { HeadBest } from "./worker-protocol";

/** Returns the highest-scoring anchor over the heads that ran, ignoring anchors with non-finite values. */
export function bestOverHeads(candidates: readonly HeadBest[]): HeadBest | undefined {
  let best: HeadBest | undefined;
  for (const candidate of candidates) {
    const finite = [candidate.logit, candidate.cx, candidate.cy, candidate.w, candidate.h].every(Number.isFinite);
    if (finite && (best === undefined || candidate.logit > best.logit)) {
      best = candidate;
    }
  }
  return best;
}

/** Converts a score logit to the grounding probability, in 0..1. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
