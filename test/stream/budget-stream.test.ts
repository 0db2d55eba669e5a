import assert from "node:assert/strict";

import { interval, map, Observable, of, take, timer } from "rxjs";
import { TestScheduler } from "rxjs/testing";

import type { Logger } from "../../src/log";
import { createGroundingStream } from "../../src/stream";
import type { GroundingStreamEngine } from "../../src/stream";
import type { CommandEncoding, GroundingOutput, GroundOptions, ImageInput } from "../../src/runtime/types";
import type { GroundingEvent } from "../../src/stream/types";
import { makeFrame, makeOutput, makeTranscript, parametersWith } from "./fake-engine";

const MANDATORY_MS = 20;
const BLOCK_MS = 10;
const GATEABLE_BLOCKS = 16;
const FRAME_INTERVAL_MS = 33;
const TARGET_MS = 200;

/**
 * An engine that plans like the budget policy on a simple cost model (mandatory blocks
 * plus equal gateable blocks) and takes the predicted time multiplied by `slowdownAt(now)`
 * in virtual ms. Other policies run every block.
 */
class CostModelEngine implements GroundingStreamEngine {
  constructor(
    private readonly now: () => number,
    private readonly slowdownAt: (nowMs: number) => number,
  ) {}

  encode(text: string): Observable<CommandEncoding> {
    return of({ expression: text, tokenIds: [], unknownWords: [], handle: 1, gates: {} });
  }

  ground(_image: ImageInput, _command: CommandEncoding, options: GroundOptions): Observable<GroundingOutput> {
    const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
    const blocks =
      options.policy === "budget"
        ? Math.max(0, Math.min(GATEABLE_BLOCKS, Math.floor((budgetMs - MANDATORY_MS) / BLOCK_MS)))
        : GATEABLE_BLOCKS;
    const predictedMs = MANDATORY_MS + blocks * BLOCK_MS;
    const modelMs = predictedMs * this.slowdownAt(this.now());
    return timer(modelMs).pipe(
      map(() => ({
        ...makeOutput(options, modelMs, predictedMs),
        computeRatio: blocks / GATEABLE_BLOCKS,
        ...(options.policy === "budget" ? { floorMs: MANDATORY_MS } : {}),
      })),
    );
  }

  release(): void {
    return;
  }
}

/**
 * Runs 15 s of 30 Hz frames: nominal cost, `slowdown` times the cost from 5 s (default
 * doubled), nominal again from 10 s. Warnings go to `warnings` when given.
 */
function runPhases(
  policy: "budget" | "full",
  slowdown = 2,
  warnings: string[] = [],
  slowdownAt: (nowMs: number) => number = (nowMs) => (nowMs >= 5000 && nowMs < 10000 ? slowdown : 1),
): GroundingEvent[] {
  const scheduler = new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
  const results: GroundingEvent[] = [];
  scheduler.run(() => {
    const now = (): number => scheduler.now();
    const engine = new CostModelEngine(now, slowdownAt);
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) };
    createGroundingStream({
      engine,
      frames: interval(FRAME_INTERVAL_MS).pipe(
        take(Math.floor(15000 / FRAME_INTERVAL_MS)),
        map((index) => makeFrame(`f${index}`, now())),
      ),
      transcripts: of(makeTranscript("the red cup", 0)),
      parameters: of(parametersWith({ policy, latency_budget_ms: TARGET_MS, command_ttl_s: 3600 })),
      scheduler,
      logger,
    }).subscribe((event) => {
      if (event.kind === "result") {
        results.push(event);
      }
    });
    scheduler.flush();
  });
  return results;
}

function arrivalMs(event: GroundingEvent): number {
  return Number(event.header.frame_id.slice(1)) * FRAME_INTERVAL_MS;
}

function between(events: GroundingEvent[], fromMs: number, toMs: number): GroundingEvent[] {
  return events.filter((event) => arrivalMs(event) >= fromMs && arrivalMs(event) < toMs);
}

function meanRatio(events: GroundingEvent[]): number {
  return events.reduce((sum, event) => sum + event.output.computeRatio, 0) / events.length;
}

describe("grounding stream budget", () => {
  it("meets the target when cost doubles", () => {
    const results = runPhases("budget");
    const slowed = between(results, 5000, 10000);
    // The first frame that runs at the new cost is late whatever the controller does.
    const settled = slowed.slice(1);
    const late = settled.filter((event) => event.endToEndMs > TARGET_MS);
    assert.deepStrictEqual(
      late.map((event) => event.endToEndMs),
      [],
    );
    assert.ok(results.every((event) => event.budgetMs === TARGET_MS));
  });

  it("cuts and restores compute", () => {
    const results = runPhases("budget");
    const nominal = meanRatio(between(results, 3000, 5000));
    const slowed = meanRatio(between(results, 8000, 10000));
    const restored = meanRatio(between(results, 13000, 15000));
    assert.ok(slowed < nominal, `compute ratio ${nominal} before, ${slowed} while slowed`);
    assert.ok(restored > slowed, `compute ratio ${slowed} while slowed, ${restored} after`);
    assert.ok(restored >= nominal - 1 / GATEABLE_BLOCKS, `compute ratio ${nominal} before, ${restored} after`);
  });

  it("passes a smaller model budget under load", () => {
    const results = runPhases("budget");
    const budgetBefore = between(results, 4000, 5000).map((event) => event.output.budgetMs ?? Number.NaN);
    const budgetSlowed = between(results, 9000, 10000).map((event) => event.output.budgetMs ?? Number.NaN);
    assert.ok(Math.max(...budgetSlowed) < Math.min(...budgetBefore));
  });

  it("leaves the full policy over target", () => {
    const results = runPhases("full");
    const slowed = between(results, 5500, 10000);
    assert.ok(slowed.every((event) => event.endToEndMs > TARGET_MS));
    assert.ok(slowed.every((event) => event.output.computeRatio === 1));
  });

  it("does not warn about one slow first frame", () => {
    const warnings: string[] = [];
    // A cold start: the first frame, at 33 ms, alone is 12 times slower.
    runPhases("budget", 1, warnings, (nowMs) => (nowMs <= FRAME_INTERVAL_MS ? 12 : 1));
    assert.deepEqual(
      warnings.filter((line) => line.includes("even the fewest blocks")),
      [],
    );
  });

  it("warns when the fewest blocks miss the target", () => {
    const warnings: string[] = [];
    // 12 times slower: the 20 ms of mandatory blocks alone take 240 ms against a 200 ms target.
    const results = runPhases("budget", 12, warnings);
    const slowed = between(results, 6000, 10000);
    assert.ok(slowed.every((event) => (event.floorEndToEndMs ?? 0) > TARGET_MS), "every slowed result reports a floor over the target");
    assert.ok(between(results, 13000, 15000).every((event) => (event.floorEndToEndMs ?? Infinity) < TARGET_MS), "the floor falls again");
    const floorWarnings = warnings.filter((line) => line.includes("even the fewest blocks"));
    assert.ok(floorWarnings.length >= 1, warnings.join("\n"));
    assert.match(floorWarnings[0], /latency_budget_ms is 200 ms, but even the fewest blocks take about \d+\.\d ms end to end/);
    // Rate-limited: at most one per second of the 5 s overload.
    assert.ok(floorWarnings.length <= 6, `${floorWarnings.length} warnings`);
  });

  it("stays quiet when load only doubles", () => {
    const warnings: string[] = [];
    runPhases("budget", 2, warnings);
    assert.deepEqual(warnings.filter((line) => line.includes("fewest blocks")), []);
  });
});
