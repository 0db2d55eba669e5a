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

/** Values per anchor in a head's output: score logit, cx, cy, w, h. */
export const HEAD_VALUES = 5;

/**
 * Returns whether a head output of shape `dims` is [1, anchors, 5] with a whole number of
 * anchors per cell of its input feature map `inputDims` ([1, C, H, W]). The second
 * condition also rejects a head exported as [1, 5, anchors] that has exactly 5 anchors.
 */
export function isHeadOutputShape(dims: readonly number[], inputDims: readonly number[] | undefined): boolean {
  if (dims.length !== 3 || dims[0] !== 1 || dims[2] !== HEAD_VALUES || dims[1] < 1) {
    return false;
  }
  if (inputDims === undefined || inputDims.length < 3) {
    return true;
  }
  const cells = inputDims.slice(2).reduce((product, side) => product * side, 1);
  return cells > 0 && dims[1] % cells === 0;
}
