/**
 * Predicted run time per block, for the budget policy. Each block starts from its FLOPs
 * times a machine-wide ms-per-FLOP rate, and switches to an exponentially weighted moving
 * average (EWMA) of its own measured times once it has run.
 */
import type { BlockSpec } from "./manifest";

export interface CostModelOptions {
  /**
   * Initial ms per FLOP before any block has been measured. Default 1e-7, that is
   * 10 GFLOP/s, an estimate for one modern x86 core running small convolutions.
   */
  initialMsPerFlop?: number;
  /** Fixed cost of one session run in ms (call and copy overhead); default 0.05. */
  perRunMs?: number;
  /** Weight of a new measurement in the EWMA, in (0, 1]; default 0.2. */
  smoothing?: number;
}

export class BlockCostModel {
  private readonly blockMs = new Map<string, number>();
  private msPerFlop: number;
  private readonly perRunMs: number;
  private readonly smoothing: number;
  /** Time per inference outside the blocks (decode, resize, normalise, messages), in ms. */
  private overheadEstimateMs: number | undefined;

  constructor(options: CostModelOptions = {}) {
    this.msPerFlop = options.initialMsPerFlop ?? 1e-7;
    this.perRunMs = options.perRunMs ?? 0.05;
    this.smoothing = options.smoothing ?? 0.2;
  }

  /** Predicted ms of one run of `block`. */
  predictMs(block: BlockSpec): number {
    return this.blockMs.get(block.name) ?? this.perRunMs + block.flops * this.msPerFlop;
  }

  /** Predicted ms of everything in an inference except the blocks; 0 until measured. */
  get overheadMs(): number {
    return this.overheadEstimateMs ?? 0;
  }

  /** Folds measured block times (ms by block name) and the non-block overhead into the estimates. */
  observe(blocks: readonly BlockSpec[], measuredMs: Record<string, number>, overheadMs?: number): void {
    let flops = 0;
    let ms = 0;
    for (const block of blocks) {
      const measured = measuredMs[block.name];
      if (measured === undefined || !Number.isFinite(measured) || measured < 0) {
        continue;
      }
      this.blockMs.set(block.name, this.average(this.blockMs.get(block.name), measured));
      flops += block.flops;
      ms += Math.max(0, measured - this.perRunMs);
    }

    // Blocks that never ran yet are predicted from the rate the measured ones achieved.
    if (flops > 0) {
      this.msPerFlop = this.average(this.msPerFlop, ms / flops);
    }
    if (overheadMs !== undefined && Number.isFinite(overheadMs) && overheadMs >= 0) {
      this.overheadEstimateMs = this.average(this.overheadEstimateMs, overheadMs);
    }
  }

  private average(previous: number | undefined, sample: number): number {
    return previous === undefined ? sample : previous + this.smoothing * (sample - previous);
  }
}
