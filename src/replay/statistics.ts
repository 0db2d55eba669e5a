/** Counters and aggregates of one replay, turned into the `--json` summary at the end. */
import { intersectionOverUnion, nearestRankPercentile } from "../metrics";
import { boxFromBoundingBox, GROUNDING_STATUS, type GroundingResult } from "../msgs";
import type { CommandAccuracy, ResultRecord } from "./types";

/** Minimum intersection over union for a box to count as correct, as in RefCOCO evaluation. */
export const IOU_THRESHOLD = 0.5;

export class ReplayStatistics {
  messages = 0;
  framesReceived = 0;
  framesDropped = 0;
  framesRejected = 0;
  commands = 0;
  /** NO_IMAGE results: commands that started before any frame, or whose frames were too old. */
  noImage = 0;
  readonly rejected = new Map<string, number>();
  readonly results: ResultRecord[] = [];
  /** Ground truth per header stamp in ns, as `stampKey` writes it. */
  readonly groundTruth = new Map<string, GroundingResult>();

  countRejection(reason: string, isFrame: boolean): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    if (isFrame) {
      this.framesRejected += 1;
    }
  }

  resultsByStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const result of this.results) {
      counts[result.status] = (counts[result.status] ?? 0) + 1;
    }
    if (this.noImage > 0) {
      counts.no_image = this.noImage;
    }
    return counts;
  }

  latencyPercentiles(): { p50: number | null; p90: number | null; p99: number | null } {
    const sorted = this.results.map((result) => result.endToEndMs).sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
  }

  meanComputeRatio(): number | null {
    if (this.results.length === 0) {
      return null;
    }
    return this.results.reduce((sum, result) => sum + result.computeRatio, 0) / this.results.length;
  }

  overBudget(): number {
    return this.results.filter((result) => result.endToEndMs > result.budgetMs).length;
  }

  /**
   * Judges one result against the ground truth at the same header stamp: a grounded truth
   * needs a grounded result with IoU >= 0.5, a not-found truth needs "not_found". A truth
   * that names its transcript judges only results of that transcript, so commands given
   * with --command are not scored against the bag's own. Returns null without such a truth.
   */
  judge(result: ResultRecord): boolean | null {
    const truth = this.truthFor(result);
    if (truth === undefined) {
      return null;
    }
    if (truth.status !== GROUNDING_STATUS.GROUNDED) {
      return result.status === "not_found";
    }
    return result.status === "grounded" && result.box !== null && intersectionOverUnion(result.box, boxFromBoundingBox(truth.bbox)) >= IOU_THRESHOLD;
  }

  /** Returns the ground-truth box that applies to a result: null when the referent is absent, undefined without ground truth. */
  truthBox(result: ResultRecord): ResultRecord["truthBox"] {
    const truth = this.truthFor(result);
    if (truth === undefined) {
      return undefined;
    }
    return truth.status === GROUNDING_STATUS.GROUNDED ? boxFromBoundingBox(truth.bbox) : null;
  }

  /** Returns the share of judged results that are correct, with null accuracy when none could be judged. */
  accuracy(): { accuracy: number | null; samples: number } {
    let samples = 0;
    let correct = 0;
    for (const result of this.results) {
      const verdict = this.judge(result);
      if (verdict !== null) {
        samples += 1;
        correct += verdict ? 1 : 0;
      }
    }
    return { accuracy: samples === 0 ? null : correct / samples, samples };
  }

  /** Counts judged and correct results per command, in the order commands were issued. */
  accuracyByCommand(): CommandAccuracy[] {
    const byCommand = new Map<number, CommandAccuracy>();
    for (const result of this.results) {
      const verdict = this.judge(result);
      if (verdict === null) {
        continue;
      }
      const entry = byCommand.get(result.commandId) ?? { commandId: result.commandId, transcript: result.transcript, expression: result.expression, correct: 0, samples: 0 };
      entry.samples += 1;
      entry.correct += verdict ? 1 : 0;
      byCommand.set(result.commandId, entry);
    }
    return [...byCommand.values()].sort((a, b) => a.commandId - b.commandId);
  }

  private truthFor(result: ResultRecord): GroundingResult | undefined {
    const truth = this.groundTruth.get(result.stampNs.toString());
    return truth === undefined || (truth.transcript !== "" && truth.transcript !== result.transcript) ? undefined : truth;
  }
}

/** Nearest-rank percentile of an ascending array; null when it is empty. */
export function percentile(sorted: readonly number[], rank: number): number | null {
  return nearestRankPercentile(sorted, rank) ?? null;
}

export { intersectionOverUnion };

/** Header stamp in ns as a map key. */
export function stampKey(stamp: { sec: number; nanosec: number }): bigint {
  return BigInt(stamp.sec) * 1_000_000_000n + BigInt(stamp.nanosec);
}
