import assert from "node:assert/strict";

import { ArgumentError } from "../../src/errors";
import { BudgetController, type BudgetControllerOptions } from "../../src/stream/budget-controller";

/**
 * A simulated engine under the budget policy. On the cost model, the mandatory blocks cost
 * MANDATORY_MS and each of GATEABLE_BLOCKS gateable blocks costs BLOCK_MS. The plan adds
 * blocks until the next one would pass the budget. The machine runs `slowdown` times
 * slower than the cost model, with ±10 % deterministic jitter.
 */
const MANDATORY_MS = 20;
const BLOCK_MS = 10;
const GATEABLE_BLOCKS = 16;
const FRAME_INTERVAL_MS = 33;
const OVERHEAD_MS = 5;
const TARGET_MS = 200;

interface SimulatedFrame {
  endToEndMs: number;
  blocks: number;
  slowdown: number;
}

class Simulation {
  readonly frames: SimulatedFrame[] = [];
  private freeAtMs = 0;
  private lastFrameIndex = -1;
  private seed = 12345;

  constructor(readonly controller: BudgetController) {}

  /** Processes `count` frames with newest-frame-only delivery at FRAME_INTERVAL_MS. */
  run(count: number, slowdown: number): void {
    for (let i = 0; i < count; i++) {
      let index = Math.floor(this.freeAtMs / FRAME_INTERVAL_MS);
      if (index <= this.lastFrameIndex) {
        index = this.lastFrameIndex + 1;
      }
      for (let arriving = this.lastFrameIndex + 1; arriving <= index; arriving++) {
        this.controller.observeArrival(arriving * FRAME_INTERVAL_MS);
      }
      this.lastFrameIndex = index;

      const arrivalMs = index * FRAME_INTERVAL_MS;
      const startMs = Math.max(this.freeAtMs, arrivalMs);
      const blocks = planBlocks(this.controller.modelBudgetMs);
      const predictedMs = MANDATORY_MS + blocks * BLOCK_MS;
      const modelMs = predictedMs * slowdown * (0.9 + 0.2 * this.random());
      this.freeAtMs = startMs + modelMs + OVERHEAD_MS;

      const endToEndMs = this.freeAtMs - arrivalMs;
      this.controller.record({ endToEndMs, waitMs: startMs - arrivalMs, modelMs, predictedMs });
      this.frames.push({ endToEndMs, blocks, slowdown });
    }
  }

  /** Linear congruential generator, so every run gets the same jitter. */
  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed / 2147483648;
  }
}

function planBlocks(budgetMs: number): number {
  return Math.max(0, Math.min(GATEABLE_BLOCKS, Math.floor((budgetMs - MANDATORY_MS) / BLOCK_MS)));
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

describe("BudgetController", () => {
  const invalidOptions: [string, Partial<BudgetControllerOptions>][] = [
    ["targetMs", { targetMs: 0 }],
    ["targetMs", { targetMs: Number.NaN }],
    ["floorMs", { floorMs: -1 }],
    ["floorMs", { floorMs: 0 }],
    ["windowSize", { windowSize: 0 }],
    ["windowSize", { windowSize: 2.5 }],
    ["quantile", { quantile: 0 }],
    ["quantile", { quantile: 1.5 }],
    ["margin", { margin: 1 }],
    ["recoveryRate", { recoveryRate: 0 }],
  ];
  for (const [name, options] of invalidOptions) {
    it(`rejects ${name}=${Object.values(options)[0]}`, () => {
      assert.throws(
        () => new BudgetController({ targetMs: TARGET_MS, ...options }),
        (error: unknown) => error instanceof ArgumentError && error.message.includes(`option ${name} `),
      );
    });
  }

  it("rejects a non-finite target change", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS });
    assert.throws(() => controller.setTarget(Number.POSITIVE_INFINITY), /option targetMs must be a number above 0/);
    assert.equal(controller.targetMs, TARGET_MS);
  });

  it("ignores samples with non-finite fields", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS });
    const before = controller.modelBudgetMs;
    assert.equal(controller.record({ endToEndMs: Number.NaN, waitMs: 0, modelMs: 10 }), false);
    assert.equal(controller.record({ endToEndMs: 10, waitMs: -1, modelMs: 10 }), false);
    assert.equal(controller.modelBudgetMs, before);
  });

  it("starts from the target less the margin", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS, margin: 0.1 });
    assert.equal(controller.modelBudgetMs, 180);
  });

  it("follows a new target on the next frame", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS, margin: 0 });
    controller.setTarget(100);
    assert.equal(controller.modelBudgetMs, 100);
    controller.setTarget(300);
    assert.equal(controller.modelBudgetMs, 300);
  });

  it("keeps cuts across target changes", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS });
    for (let i = 0; i < 10; i++) {
      controller.record({ endToEndMs: 400, waitMs: 0, modelMs: 395, predictedMs: 20 });
    }
    const cut = controller.modelBudgetMs;
    controller.setTarget(TARGET_MS * 0.95);
    assert.ok(controller.modelBudgetMs <= cut, `budget rose from ${cut} to ${controller.modelBudgetMs} ms when the target fell`);
  });

  it("cuts nothing for unbudgeted policies", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS, margin: 0.1 });
    for (let i = 0; i < 10; i++) {
      controller.record({ endToEndMs: 270, waitMs: 0, modelMs: 265, budgeted: false });
    }
    // Only the 5 ms of overhead each frame showed comes off the target less the margin.
    assert.equal(controller.modelBudgetMs, 175);
  });

  it("caps the deadline factor at the allowance", () => {
    const controller = new BudgetController({ targetMs: 50, floorMs: 15, margin: 0.1 });
    for (let i = 0; i < 30; i++) {
      controller.record({ endToEndMs: 400, waitMs: 0, modelMs: 390, predictedMs: 20 });
    }
    // 45 ms usable less 10 ms overhead leaves 35 ms for the model, but the budget sits at its 15 ms floor.
    assert.equal(controller.modelBudgetMs, 15);
    assert.ok(Math.abs(controller.modelBudgetMs * controller.slowdown - 35) < 1e-9, `deadline ${controller.modelBudgetMs * controller.slowdown} ms`);

    const overloaded = new BudgetController({ targetMs: 20, floorMs: 15, margin: 0.1 });
    for (let i = 0; i < 30; i++) {
      overloaded.record({ endToEndMs: 400, waitMs: 0, modelMs: 390, predictedMs: 20 });
    }
    // 18 ms usable less 10 ms overhead is below the floor: the deadline is the floor itself.
    assert.equal(overloaded.slowdown, 1);
  });

  it("never goes below the floor", () => {
    const controller = new BudgetController({ targetMs: 50, floorMs: 15 });
    for (let i = 0; i < 30; i++) {
      controller.record({ endToEndMs: 400, waitMs: 0, modelMs: 390, predictedMs: 20 });
    }
    assert.equal(controller.modelBudgetMs, 15);
  });

  it("subtracts overhead and waiting", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS, margin: 0, recoveryRate: 1 });
    for (let i = 0; i < 20; i++) {
      controller.observeArrival(i * 100);
      controller.record({ endToEndMs: 150, waitMs: 30, modelMs: 100, predictedMs: 100 });
    }
    const state = controller.snapshot();
    assert.equal(state.overheadMs, 20);
    assert.equal(state.waitMs, 30);
    assert.equal(state.frameIntervalMs, 100);
    assert.equal(state.slowdown, 1);
    assert.equal(controller.modelBudgetMs, 150);
  });

  it("estimates the end-to-end time of the fewest blocks", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS, margin: 0 });
    assert.equal(controller.snapshot().floorEndToEndMs, null);
    for (let i = 0; i < 20; i++) {
      controller.observeArrival(i * 100);
      // Twice as slow as predicted, 20 ms outside the model, 30 ms of waiting.
      controller.record({ endToEndMs: 250, waitMs: 30, modelMs: 200, predictedMs: 100, floorMs: 40 });
    }
    assert.equal(controller.snapshot().floorEndToEndMs, 20 + 30 + 40 * 2);
  });

  it("caps the expected wait at the frame interval", () => {
    const controller = new BudgetController({ targetMs: TARGET_MS, margin: 0 });
    for (let i = 0; i < 5; i++) {
      controller.observeArrival(i * 10);
    }
    controller.record({ endToEndMs: 150, waitMs: 50, modelMs: 100, predictedMs: 100 });
    assert.equal(controller.snapshot().waitMs, 10);
  });

  it("recovers from doubled cost after 1 frame", () => {
    const simulation = new Simulation(new BudgetController({ targetMs: TARGET_MS }));
    simulation.run(100, 1);
    simulation.run(100, 2);

    const slowed = simulation.frames.slice(100);
    // The first slowed frame is over the target whatever the controller does; it reacts to it.
    const settled = slowed.slice(1).map((frame) => frame.endToEndMs);
    assert.ok(quantile(settled, 0.99) <= TARGET_MS, `p99 after 1 frame is ${quantile(settled, 0.99)} ms`);
    assert.ok(Math.max(...settled) <= TARGET_MS, `max after 1 frame is ${Math.max(...settled)} ms`);

    const blocksBefore = mean(simulation.frames.slice(80, 100).map((frame) => frame.blocks));
    const blocksAfter = mean(slowed.slice(80).map((frame) => frame.blocks));
    assert.ok(blocksAfter < blocksBefore, `blocks went from ${blocksBefore} to ${blocksAfter}`);
  });

  it("spends headroom again when cost halves", () => {
    const simulation = new Simulation(new BudgetController({ targetMs: TARGET_MS }));
    simulation.run(100, 1);
    const blocksNominal = mean(simulation.frames.slice(80, 100).map((frame) => frame.blocks));
    simulation.run(100, 2);
    const blocksSlowed = mean(simulation.frames.slice(180, 200).map((frame) => frame.blocks));
    simulation.run(100, 1);
    const recovered = simulation.frames.slice(200);

    const blocksRecovered = mean(recovered.slice(80).map((frame) => frame.blocks));
    assert.ok(blocksRecovered > blocksSlowed, `blocks ${blocksSlowed} while slowed, ${blocksRecovered} after`);
    assert.ok(blocksRecovered >= blocksNominal - 1, `blocks ${blocksNominal} at first, ${blocksRecovered} after`);

    const firstFull = recovered.findIndex((frame) => frame.blocks >= blocksNominal - 1);
    assert.ok(firstFull >= 0, "compute never came back");
    assert.ok(firstFull <= 40, `compute came back after ${firstFull} frames`);
    const late = recovered.map((frame) => frame.endToEndMs);
    assert.ok(quantile(late, 0.99) <= TARGET_MS, `p99 while recovering is ${quantile(late, 0.99)} ms`);
  });

  it("plans more blocks on a faster machine", () => {
    const simulation = new Simulation(new BudgetController({ targetMs: TARGET_MS }));
    simulation.run(100, 1);
    const blocksNominal = mean(simulation.frames.slice(80).map((frame) => frame.blocks));
    simulation.run(100, 0.5);
    const blocksFast = mean(simulation.frames.slice(180).map((frame) => frame.blocks));
    assert.ok(blocksFast > blocksNominal, `blocks ${blocksNominal} at nominal cost, ${blocksFast} at half cost`);
  });
});
