/**
 * Scoring helpers shared by evaluation, replay, diagnostics and benchmarks, so that every
 * report computes IoU and percentiles the same way.
 */
import type { Box } from "./runtime/types";

/** Nearest-rank percentile (`percent` in 0..100) of an ascending array; undefined when empty. */
export function nearestRankPercentile(sorted: readonly number[], percent: number): number | undefined {
  if (sorted.length === 0) {
    return undefined;
  }
  const rank = Math.ceil((percent / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Intersection over union of two boxes; 0 when they do not overlap or both are empty. */
export function intersectionOverUnion(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) {
    return 0;
  }
  const intersection = width * height;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}
