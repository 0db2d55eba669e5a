import { ArgumentError } from "../errors";
import { SlidingWindow } from "./sliding-window";

export interface BudgetControllerOptions {
  /** End-to-end latency target, from frame arrival to result, in ms (`latency_budget_ms`). */
  targetMs: number;
  /**
   * Lowest model budget handed to the engine, in ms, above 0; default 1. The engine plans
   * the mandatory blocks whatever the budget, so this only keeps the value positive.
   */
  floorMs?: number;
  /** Number of recent frames each quantile is taken over; default 20. */
  windowSize?: number;
  /** Quantile of each measured signal that the budget is planned for, in (0, 1]; default 0.9. */
  quantile?: number;
  /** Fraction of the target kept free to absorb jitter, in [0, 1); default 0.1. */
  margin?: number;
  /**
   * Fraction of the gap to the computed budget closed per frame while raising it, in
   * (0, 1]; default 0.2. Lowering is immediate.
   */
  recoveryRate?: number;
}

/** Measurements of one processed frame, all in ms on the stream's clock. */
export interface LatencySample {
  /** Frame arrival to result. */
  endToEndMs: number;
  /** Frame arrival to the start of its inference (queueing behind a busy model). */
  waitMs: number;
  /** Time the engine reported for the whole inference (`latencyMs.total`). */
  modelMs: number;
  /**
   * Model time the engine predicted for the plan it ran. Only budget-policy results carry
   * it; without it the slowdown estimate is left unchanged.
   */
  predictedMs?: number;
  /** Model time the engine predicts for its fewest blocks (`GroundingOutput.floorMs`), when it reports one. */
  floorMs?: number;
  /**
   * False when the frame ran a policy that ignores the budget (full, lgmdp, softskip,
   * static). Its latency does not depend on the budget, so it updates the estimates
   * but cuts nothing. Default true.
   */
  budgeted?: boolean;
}

/** The controller's current estimates, for diagnostics and logs. */
export interface BudgetState {
  targetMs: number;
  /** Budget the next frame's plan gets (`GroundOptions.budgetMs`), in ms. */
  modelBudgetMs: number;
  /** Planned-for quantile of measured model time / predicted model time. */
  slowdown: number;
  /** Planned-for quantile of time outside the engine (messaging, event loop), in ms. */
  overheadMs: number;
  /** Expected wait behind a busy model, in ms. */
  waitMs: number;
  /** Median interval between frame arrivals, in ms; null until two frames arrived. */
  frameIntervalMs: number | null;
  /**
   * Expected end-to-end time of the fewest blocks the engine can run, under the current
   * slowdown, overhead and wait, in ms. Null until a result reports its floor. When it
   * is above the target, no budget can meet the target on this machine under this load.
   */
  floorEndToEndMs: number | null;
}

/**
 * A raise smaller than this fraction of the current budget is ignored, so that the budget
 * does not move by a block's worth up and down on measurement noise.
 */
const RAISE_DEADBAND = 0.05;

/**
 * Turns measured end-to-end latencies, queueing and input rate into the model budget for
 * the next frame.
 *
 * The budget is the end-to-end target (less a margin) minus the expected overhead and
 * wait, divided by the expected slowdown of the machine against the engine's cost model.
 * Each expectation is an upper quantile over recent frames. A frame over the target cuts
 * the budget in proportion at once, while a higher computed budget is approached a
 * fraction per frame. So a slower CPU or a competing process quickly makes the budget
 * policy run fewer blocks, and headroom is spent again gradually once the load goes away.
 */
export class BudgetController {
  private target: number;
  private budget: number;
  private lastArrivalMs: number | null = null;
  private latestSlowdown: number | null = null;
  private latestFloorMs: number | null = null;
  private recordedCount = 0;

  private readonly floorMs: number;
  private readonly quantile: number;
  private readonly margin: number;
  private readonly recoveryRate: number;

  private readonly slowdowns: SlidingWindow;
  private readonly overheads: SlidingWindow;
  private readonly waits: SlidingWindow;
  private readonly intervals: SlidingWindow;

  constructor(options: BudgetControllerOptions) {
    this.target = requireNumber("targetMs", options.targetMs, (v) => v > 0, "a number above 0");
    // Above 0 because the engine rejects a budget policy call without a positive budget.
    this.floorMs = requireNumber("floorMs", options.floorMs ?? 1, (v) => v > 0, "a number above 0");
    const windowSize = requireNumber(
      "windowSize",
      options.windowSize ?? 20,
      (v) => Number.isInteger(v) && v >= 1,
      "an integer at or above 1",
    );
    this.quantile = requireNumber("quantile", options.quantile ?? 0.9, (v) => v > 0 && v <= 1, "a number in (0, 1]");
    this.margin = requireNumber("margin", options.margin ?? 0.1, (v) => v >= 0 && v < 1, "a number in [0, 1)");
    this.recoveryRate = requireNumber(
      "recoveryRate",
      options.recoveryRate ?? 0.2,
      (v) => v > 0 && v <= 1,
      "a number in (0, 1]",
    );

    this.slowdowns = new SlidingWindow(windowSize);
    this.overheads = new SlidingWindow(windowSize);
    this.waits = new SlidingWindow(windowSize);
    this.intervals = new SlidingWindow(windowSize);
    this.budget = this.computeBudget();
  }

  get targetMs(): number {
    return this.target;
  }

  get modelBudgetMs(): number {
    return this.budget;
  }

  /**
   * Factor that turns `modelBudgetMs` (predicted ms) into the engine's real-time deadline
   * (`GroundOptions.slowdown`). It is the expected ratio of real to predicted model time,
   * capped so that the deadline stays within the real time left for the model. When that
   * time is below the floor, the factor is 1, so an overloaded node stops after one head.
   */
  get slowdown(): number {
    const allowance = Math.max(this.floorMs, this.allowanceMs());
    return Math.min(this.expectedSlowdown(), allowance / this.budget);
  }

  /**
   * Changes the end-to-end target. The next frame's budget scales with it, so cuts made
   * for the load so far still hold, and never exceeds what the estimates allow.
   */
  setTarget(targetMs: number): void {
    const previous = this.target;
    this.target = requireNumber("targetMs", targetMs, (v) => v > 0, "a number above 0");
    this.budget = Math.min(this.computeBudget(), Math.max(this.floorMs, (this.budget * this.target) / previous));
  }

  /** Records a frame's arrival time (ms) to estimate the input rate; non-finite times are ignored. */
  observeArrival(receivedAtMs: number): void {
    if (!Number.isFinite(receivedAtMs)) {
      return;
    }
    if (this.lastArrivalMs !== null && receivedAtMs >= this.lastArrivalMs) {
      this.intervals.push(receivedAtMs - this.lastArrivalMs);
    }
    this.lastArrivalMs = receivedAtMs;
  }

  /**
   * Records a processed frame and updates the budget for the next one. Returns false and
   * changes nothing when a required field is not a finite, non-negative number.
   */
  record(sample: LatencySample): boolean {
    const { endToEndMs, waitMs, modelMs, predictedMs } = sample;
    if (![endToEndMs, waitMs, modelMs].every((v) => Number.isFinite(v) && v >= 0)) {
      return false;
    }

    if (predictedMs !== undefined && Number.isFinite(predictedMs) && predictedMs > 0) {
      this.latestSlowdown = modelMs / predictedMs;
      this.slowdowns.push(this.latestSlowdown);
    }
    if (sample.floorMs !== undefined && Number.isFinite(sample.floorMs) && sample.floorMs > 0) {
      this.latestFloorMs = sample.floorMs;
    }
    this.overheads.push(Math.max(0, endToEndMs - waitMs - modelMs));
    this.waits.push(waitMs);
    this.recordedCount += 1;

    let next = this.computeBudget();
    if (sample.budgeted === false) {
      // Cutting would compound on every frame of a policy that never follows the budget,
      // and the budget policy would restart from its floor.
      this.budget = next;
      return true;
    }
    if (endToEndMs > this.target) {
      const proportional = (this.budget * this.target * (1 - this.margin)) / endToEndMs;
      next = Math.min(next, proportional);
    }

    // Raising needs headroom shown by this frame, so a frame near the target after a cut
    // does not undo the cut before the quantiles have caught up with the new load.
    const hasHeadroom = endToEndMs <= this.target * (1 - this.margin);
    if (next < this.budget) {
      this.budget = next;
    } else if (hasHeadroom && next > this.budget * (1 + RAISE_DEADBAND)) {
      this.budget += this.recoveryRate * (next - this.budget);
    }
    this.budget = Math.max(this.floorMs, this.budget);
    return true;
  }

  /** Number of samples that `record` accepted. */
  get recorded(): number {
    return this.recordedCount;
  }

  snapshot(): BudgetState {
    return {
      targetMs: this.target,
      modelBudgetMs: this.budget,
      slowdown: this.expectedSlowdown(),
      overheadMs: this.overheads.quantile(this.quantile, 0),
      waitMs: this.expectedWait(),
      frameIntervalMs: this.intervals.size === 0 ? null : this.intervals.quantile(0.5, 0),
      floorEndToEndMs:
        this.latestFloorMs === null
          ? null
          : this.overheads.quantile(this.quantile, 0) + this.expectedWait() + this.latestFloorMs * this.expectedSlowdown(),
    };
  }

  private computeBudget(): number {
    const budget = this.allowanceMs() / this.expectedSlowdown();
    return Math.min(this.target, Math.max(this.floorMs, budget));
  }

  /** Real time left for the model: the target less the margin, overhead and waiting. */
  private allowanceMs(): number {
    const usable = this.target * (1 - this.margin);
    return usable - this.overheads.quantile(this.quantile, 0) - this.expectedWait();
  }

  /**
   * The quantile, or the latest frame's slowdown when that is higher, so that a new load
   * counts from its first frame while an old one leaves only as the window moves on.
   * Slowdown below 1 is kept: a faster machine than the cost model assumed earns more blocks.
   */
  private expectedSlowdown(): number {
    return Math.max(this.slowdowns.quantile(this.quantile, 1), this.latestSlowdown ?? 0);
  }

  /**
   * With newest-frame-only delivery a processed frame waited at most one frame interval,
   * because a newer frame would have replaced it; so the wait estimate is capped by it.
   */
  private expectedWait(): number {
    const measured = this.waits.quantile(this.quantile, 0);
    if (this.intervals.size === 0) {
      return measured;
    }
    return Math.min(measured, this.intervals.quantile(0.5, 0));
  }
}

function requireNumber(name: string, value: number, valid: (value: number) => boolean, expected: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !valid(value)) {
    throw new ArgumentError(
      `BudgetController option ${name} must be ${expected} but received ${String(value)}; pass a value in that range.`,
    );
  }
  return value;
}
