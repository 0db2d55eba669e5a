/**
 * Counters behind `/diagnostics`: inputs received, inputs rejected per reason, frames
 * dropped per reason, results per status, end-to-end latency percentiles, the budget in
 * force, the compute ratio and how often the budget policy's deadline cut a plan short. Pure: the node feeds it events and publishes `snapshot()`.
 */
import type { DiagnosticArray, DiagnosticStatus, KeyValue } from "../msgs";
import { nearestRankPercentile } from "../metrics";
import { DIAGNOSTIC_LEVEL } from "../msgs";
import type { Stamp, StreamEvent } from "../stream/types";

/** Number of recent results the latency percentiles and the mean compute ratio cover. */
export const DIAGNOSTICS_WINDOW = 200;
/**
 * Age in ms after which a result leaves the percentiles, so that a slow burst does not
 * keep /diagnostics at WARN while the node waits for the next command.
 */
export const DIAGNOSTICS_MAX_AGE_MS = 30_000;

export interface DiagnosticsContext {
  /** Fully qualified node name, shown as the status name prefix. */
  nodeName: string;
  stamp: Stamp;
  lifecycleState: string;
  modelName: string;
  /** Load error of the model, when loading failed. */
  modelError?: string;
  /** Reason the grounding stream stopped or failed to start, while the node is still active. */
  streamError?: string;
  policy: string;
  /** Configured end-to-end budget, in ms. */
  latencyBudgetMs: number;
}

export class GroundingDiagnostics {
  private framesReceived = 0;
  private transcriptsReceived = 0;
  private readonly rejected = new Map<string, number>();
  private readonly dropped = new Map<string, number>();
  private readonly results = new Map<string, number>();
  /** The last DIAGNOSTICS_WINDOW results, oldest first; `atMs` is on `clock`. */
  private readonly recentResults: Array<{ atMs: number; endToEndMs: number; computeRatio: number }> = [];
  private budgetInForceMs: number | undefined;
  private floorEndToEndMs: number | undefined;
  private stoppedAtDeadline = 0;
  /** Rejections since the previous snapshot, so a burst raises the level for one period. */
  private rejectedSinceSnapshot = 0;

  /** `clock` gives steady time in ms, for the age of results. */
  constructor(private readonly clock: () => number = () => performance.now()) {}

  recordFrame(): void {
    this.framesReceived += 1;
  }

  recordTranscript(): void {
    this.transcriptsReceived += 1;
  }

  /** Counts a rejected message; `reason` is InputError's stable key. */
  recordRejection(topic: string, reason: string): void {
    increment(this.rejected, `${topic}: ${reason}`);
    this.rejectedSinceSnapshot += 1;
  }

  /** Counts a published result by its GroundingResult status name. */
  recordStatus(status: string): void {
    increment(this.results, status);
  }

  recordEvent(event: StreamEvent): void {
    switch (event.kind) {
      case "result":
        this.recordStatus(event.output.status);
        this.recentResults.push({ atMs: this.clock(), endToEndMs: event.endToEndMs, computeRatio: event.output.computeRatio });
        if (this.recentResults.length > DIAGNOSTICS_WINDOW) {
          this.recentResults.shift();
        }
        // The model budget the controller planned this frame with; only the budget policy has one.
        this.budgetInForceMs = event.output.budgetMs;
        this.floorEndToEndMs = event.floorEndToEndMs;
        if (event.output.stoppedAtDeadline === true) {
          this.stoppedAtDeadline += 1;
        }
        return;
      case "rejected":
        this.recordRejection(event.topic, event.reason);
        return;
      case "dropped":
        increment(this.dropped, event.reason);
        return;
      case "no_image":
        this.recordStatus("no_image");
        return;
      case "ended":
        return;
    }
  }

  private forgetOldResults(): void {
    const oldest = this.clock() - DIAGNOSTICS_MAX_AGE_MS;
    while (this.recentResults.length > 0 && this.recentResults[0].atMs < oldest) {
      this.recentResults.shift();
    }
  }

  /** Builds the DiagnosticArray for this period and starts the next period. */
  snapshot(context: DiagnosticsContext): DiagnosticArray {
    this.forgetOldResults();
    const latenciesMs = this.recentResults.map((result) => result.endToEndMs);
    const p50 = percentile(latenciesMs, 0.5);
    const p90 = percentile(latenciesMs, 0.9);
    const p99 = percentile(latenciesMs, 0.99);
    const values: KeyValue[] = [
      keyValue("state", context.lifecycleState),
      keyValue("model", context.modelName),
      keyValue("policy", context.policy),
      keyValue("frames received", this.framesReceived),
      keyValue("transcripts received", this.transcriptsReceived),
      keyValue("frames dropped (busy)", this.dropped.get("busy") ?? 0),
      keyValue("frames dropped (stale)", this.dropped.get("stale") ?? 0),
      keyValue("inputs rejected", sum(this.rejected)),
      ...[...this.rejected].map(([reason, count]) => keyValue(`rejected ${reason}`, count)),
      ...[...this.results].map(([status, count]) => keyValue(`results ${status}`, count)),
      keyValue("latency p50 ms", p50),
      keyValue("latency p90 ms", p90),
      keyValue("latency p99 ms", p99),
      keyValue("latency budget ms", context.latencyBudgetMs),
      keyValue("model budget in force ms", this.budgetInForceMs),
      keyValue("fewest blocks end to end ms", this.floorEndToEndMs),
      keyValue("compute ratio mean", mean(this.recentResults.map((result) => result.computeRatio))),
      keyValue("results stopped at deadline", this.stoppedAtDeadline),
    ];

    const { level, message } = this.assess(context, p90);
    this.rejectedSinceSnapshot = 0;
    const status: DiagnosticStatus = {
      level,
      name: `${context.nodeName}: grounding`,
      message,
      hardware_id: "",
      values,
    };
    return { header: { stamp: context.stamp, frame_id: "" }, status: [status] };
  }

  private assess(context: DiagnosticsContext, p90: number | undefined): { level: number; message: string } {
    if (context.modelError !== undefined) {
      return { level: DIAGNOSTIC_LEVEL.ERROR, message: `model failed to load: ${context.modelError}` };
    }
    if (context.streamError !== undefined) {
      return { level: DIAGNOSTIC_LEVEL.ERROR, message: `grounding stopped: ${context.streamError}; deactivate and activate the node, or restart it` };
    }
    if (context.lifecycleState !== "active") {
      return { level: DIAGNOSTIC_LEVEL.OK, message: `${context.lifecycleState}: not subscribed to inputs` };
    }
    if (p90 !== undefined && p90 > context.latencyBudgetMs) {
      const p90Text = p90.toFixed(1);
      const floor = this.floorEndToEndMs;
      const reason = floor !== undefined && floor > context.latencyBudgetMs ? `; even the fewest blocks take about ${floor.toFixed(1)} ms here` : "";
      return { level: DIAGNOSTIC_LEVEL.WARN, message: `p90 latency ${p90Text} ms is over the ${context.latencyBudgetMs} ms budget${reason}` };
    }
    if (this.rejectedSinceSnapshot > 0) {
      return { level: DIAGNOSTIC_LEVEL.WARN, message: `${this.rejectedSinceSnapshot} inputs rejected in the last period` };
    }
    return { level: DIAGNOSTIC_LEVEL.OK, message: "grounding" };
  }
}

/** Nearest-rank percentile (`fraction` in 0..1) of unsorted samples; undefined for no samples. */
export function percentile(samples: readonly number[], fraction: number): number | undefined {
  return nearestRankPercentile([...samples].sort((a, b) => a - b), fraction * 100);
}

function mean(samples: readonly number[]): number | undefined {
  if (samples.length === 0) {
    return undefined;
  }
  return samples.reduce((total, value) => total + value, 0) / samples.length;
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) {
    total += count;
  }
  return total;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** DiagnosticStatus values are strings; a missing number shows as "n/a". */
function keyValue(key: string, value: string | number | undefined): KeyValue {
  if (value === undefined) {
    return { key, value: "n/a" };
  }
  if (typeof value === "number") {
    return { key, value: Number.isInteger(value) ? String(value) : value.toFixed(3) };
  }
  return { key, value };
}
