/**
 * Contention benchmark: replays timed frames and commands at real rate through the
 * grounding stream while 0, 1 or 2 CPU-bound child processes compete for the CPU, once
 * per policy. It shows whether the budget policy keeps end-to-end latency under
 * `latency_budget_ms` where the full model cannot.
 */
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";

import { lastValueFrom, map, merge, Observable, of, timer, toArray } from "rxjs";

import { ArgumentError } from "../src/errors";
import { silentLogger, type Logger } from "../src/log";
import { defaultParameters, POLICY_NAMES, type GroundingParameters, type PolicyName } from "../src/params/declarations";
import { intersectionOverUnion, IOU_THRESHOLD, percentile } from "../src/replay/statistics";
import { setThreadNice } from "../src/runtime/thread-nice";
import type { Box, ImageInput } from "../src/runtime/types";
import { createGroundingStream, monotonicScheduler, type GroundingStreamEngine } from "../src/stream";
import type { FrameInput, Header, StreamEvent, TranscriptInput } from "../src/stream/types";

/** One camera frame of the replayed sequence. */
export interface ContentionFrame {
  /** Arrival time relative to the start of the run, in ms. */
  atMs: number;
  header: Header;
  image: ImageInput;
  /**
   * Box of the active command's referent in original-image pixels, or null when the
   * referent is not in the image (then "not_found" is correct). Leave it out when unknown;
   * such frames do not count towards accuracy.
   */
  truth?: Box | null;
}

/** One spoken command of the replayed sequence. */
export interface ContentionCommand {
  /** Arrival time relative to the start of the run, in ms. */
  atMs: number;
  /** Transcript as the speech recogniser wrote it. */
  text: string;
}

export interface ContentionBenchmarkOptions {
  /** A loaded engine; it is shared by all runs and not closed here. */
  engine: GroundingStreamEngine;
  /** The sequence, in any order; every run replays all of it. */
  frames: ContentionFrame[];
  commands: ContentionCommand[];
  /** Policies to compare; default ["full", "budget"]. */
  policies?: PolicyName[];
  /**
   * Numbers of competing CPU-bound processes, one run each per policy; default [0, 1, 2].
   * Each competitor keeps one core busy. On a machine with more idle cores than
   * competitors the engine may not slow down at all, so pass larger counts there.
   */
  competitors?: number[];
  /**
   * Also run the budget policy at its fewest blocks (a 1 ms model budget, so the deadline
   * cuts every plan to its first head), scored against the same target: the lowest
   * latency any plan reaches under each load. Default false.
   */
  fewestBlocksRuns?: boolean;
  /**
   * Also run `policies` on this engine with the main thread at nice `nice` during the run,
   * for an engine loaded with the same nice value: the node's `nice` parameter. The
   * competitors start before the main thread's nice changes, so they keep the default.
   */
  prioritized?: { engine: GroundingStreamEngine; nice: number };
  /** Parameter overrides (latency_budget_ms, command_ttl_s, ...); `policy` is set per run. */
  parameters?: Partial<GroundingParameters>;
  /** Wait after starting the competitors, before replaying, so they are at full load, in ms; default 300. */
  settleMs?: number;
  logger?: Logger;
}

export interface ContentionRun {
  policy: PolicyName;
  /** The policy's name, or "budget, fewest blocks" for a fewest-blocks run. */
  label: string;
  competitors: number;
  frames: number;
  results: number;
  dropped: { busy: number; stale: number };
  rejected: number;
  /** Share of results whose end-to-end latency exceeded `latency_budget_ms`, in 0..1; null without results. */
  overBudgetShare: number | null;
  /** Results whose plan the budget policy's deadline cut short. */
  stoppedAtDeadline: number;
  /** End-to-end latency, frame arrival to result, in ms (nearest-rank percentiles). */
  latencyMs: { p50: number | null; p99: number | null };
  /** Mean executed FLOPs / full-model FLOPs; null without results. */
  computeRatio: number | null;
  /**
   * Median over results of the stream's expected end-to-end time of the fewest blocks
   * (`GroundingEvent.floorEndToEndMs`), in ms. Null when no result carried one, as with
   * policies other than budget.
   */
  fewestBlocksEstimateMs: number | null;
  /** Correct results / results on frames with `truth` (IoU >= 0.5, or "not_found" when absent); null when none. */
  accuracy: number | null;
}

export interface ContentionReport {
  /** End-to-end target every run used, in ms. */
  latencyBudgetMs: number;
  runs: ContentionRun[];
}

/** Runs every policy at every competitor count, one after the other, and reports each run. */
export async function runContentionBenchmark(options: ContentionBenchmarkOptions): Promise<ContentionReport> {
  const policies = options.policies ?? ["full", "budget"];
  const competitorCounts = options.competitors ?? [0, 1, 2];
  checkOptions(options, policies, competitorCounts);
  const logger = options.logger ?? silentLogger;
  const baseParameters: GroundingParameters = { ...defaultParameters(), ...options.parameters };

  const variants: Variant[] = policies.map((policy) => ({
    label: policy,
    policy,
    parameters: { ...baseParameters, policy },
    logger,
    engine: options.engine,
    nice: 0,
  }));
  if (options.fewestBlocksRuns === true) {
    variants.push({
      label: "budget, fewest blocks",
      policy: "budget",
      parameters: { ...baseParameters, policy: "budget", latency_budget_ms: 1 },
      // Its 1 ms target is below the fewest blocks on purpose, so the stream's warnings
      // saying so carry no news there; they go to debug.
      logger: { ...logger, warn: (message: string) => logger.debug(message) },
      engine: options.engine,
      nice: 0,
    });
  }
  const prioritized = options.prioritized;
  if (prioritized !== undefined) {
    for (const policy of policies) {
      variants.push({ label: `${policy}, nice ${prioritized.nice}`, policy, parameters: { ...baseParameters, policy }, logger, ...prioritized });
    }
  }
  const runs: ContentionRun[] = [];
  for (const competitors of competitorCounts) {
    for (const variant of variants) {
      const children = startCompetitors(competitors);
      try {
        await delay(options.settleMs ?? 300);
        logger.info(`Contention run: ${variant.label}, ${competitors} competing process(es).`);
        const events = await replayAtNice(variant, options);
        runs.push({ ...summarise(variant.policy, competitors, options.frames, events, baseParameters.latency_budget_ms), label: variant.label });
      } finally {
        await stopCompetitors(children);
      }
    }
  }
  return { latencyBudgetMs: baseParameters.latency_budget_ms, runs };
}

function checkOptions(options: ContentionBenchmarkOptions, policies: PolicyName[], competitors: number[]): void {
  if (!Array.isArray(options.frames) || options.frames.length === 0) {
    throw new ArgumentError("runContentionBenchmark option frames must be a non-empty array of timed frames.");
  }
  if (!Array.isArray(options.commands)) {
    throw new ArgumentError("runContentionBenchmark option commands must be an array of timed commands.");
  }
  const timed: [string, { atMs: number }[]][] = [
    ["frames", options.frames],
    ["commands", options.commands],
  ];
  for (const [name, items] of timed) {
    for (const [index, item] of items.entries()) {
      if (typeof item.atMs !== "number" || !Number.isFinite(item.atMs) || item.atMs < 0) {
        throw new ArgumentError(
          `runContentionBenchmark option ${name}[${index}].atMs is ${String(item.atMs)}; use a finite offset in ms at or above 0.`,
        );
      }
    }
  }
  for (const policy of policies) {
    if (!POLICY_NAMES.includes(policy)) {
      throw new ArgumentError(
        `runContentionBenchmark option policies contains ${JSON.stringify(policy)}; use ${POLICY_NAMES.join(", ")}.`,
      );
    }
  }
  for (const count of competitors) {
    if (!Number.isInteger(count) || count < 0 || count > 64) {
      throw new ArgumentError(
        `runContentionBenchmark option competitors contains ${String(count)}; use integers from 0 to 64.`,
      );
    }
  }
}

interface Variant {
  label: string;
  policy: PolicyName;
  parameters: GroundingParameters;
  logger: Logger;
  engine: GroundingStreamEngine;
  /** Nice value of the main thread during the run; its engine's worker sets its own. */
  nice: number;
}

/** Replays one variant with the main thread at the variant's nice value, then restores the previous one. */
async function replayAtNice(variant: Variant, options: ContentionBenchmarkOptions): Promise<StreamEvent[]> {
  if (variant.nice === 0) {
    return replay(options, variant.engine, variant.parameters, variant.logger);
  }
  const before = os.getPriority(0);
  const failure = setThreadNice(variant.nice);
  if (failure !== null) {
    variant.logger.warn(`Run ${variant.label} keeps the main thread at its default priority: ${failure}.`);
  }
  try {
    return await replay(options, variant.engine, variant.parameters, variant.logger);
  } finally {
    // Raising the nice value back is always permitted.
    os.setPriority(0, before);
  }
}

/** Replays the sequence at real rate and collects every stream event. */
function replay(options: ContentionBenchmarkOptions, engine: GroundingStreamEngine, parameters: GroundingParameters, logger: Logger): Promise<StreamEvent[]> {
  const now = (): number => monotonicScheduler.now();
  const frames: Observable<FrameInput> = merge(
    ...options.frames.map((frame) =>
      timer(frame.atMs).pipe(
        map((): FrameInput => ({ header: frame.header, image: frame.image, receivedAtMs: now(), topic: "image" })),
      ),
    ),
  );
  const transcripts: Observable<TranscriptInput> = merge(
    ...options.commands.map((command) =>
      timer(command.atMs).pipe(
        map((): TranscriptInput => ({ text: command.text, receivedAtMs: now(), topic: "transcript" })),
      ),
    ),
  );

  const stream = createGroundingStream({
    engine,
    frames,
    transcripts,
    parameters: of(parameters),
    logger,
  });
  return lastValueFrom(stream.pipe(toArray()));
}

function summarise(
  policy: PolicyName,
  competitors: number,
  frames: ContentionFrame[],
  events: StreamEvent[],
  latencyBudgetMs: number,
): Omit<ContentionRun, "label"> {
  // The stream passes each frame's header object through, so it identifies the frame.
  const truthByHeader = new Map<Header, Box | null | undefined>(frames.map((frame) => [frame.header, frame.truth]));
  const latencies: number[] = [];
  let computeSum = 0;
  let scored = 0;
  let correct = 0;
  const dropped = { busy: 0, stale: 0 };
  let rejected = 0;
  let stoppedAtDeadline = 0;
  const floors: number[] = [];

  for (const event of events) {
    if (event.kind === "dropped") {
      dropped[event.reason] += 1;
      continue;
    }
    if (event.kind === "rejected") {
      rejected += 1;
      continue;
    }
    if (event.kind === "no_image" || event.kind === "ended") {
      continue;
    }
    latencies.push(event.endToEndMs);
    computeSum += event.output.computeRatio;
    stoppedAtDeadline += event.output.stoppedAtDeadline === true ? 1 : 0;
    if (event.floorEndToEndMs !== undefined) {
      floors.push(event.floorEndToEndMs);
    }
    const truth = truthByHeader.get(event.header);
    if (truth === undefined) {
      continue;
    }
    scored += 1;
    if (isCorrect(event.output.status, event.output.box, truth)) {
      correct += 1;
    }
  }

  const sorted = [...latencies].sort((a, b) => a - b);
  const overBudget = latencies.filter((latency) => latency > latencyBudgetMs).length;
  return {
    policy,
    competitors,
    frames: frames.length,
    results: latencies.length,
    dropped,
    rejected,
    overBudgetShare: latencies.length === 0 ? null : overBudget / latencies.length,
    stoppedAtDeadline,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
    computeRatio: latencies.length === 0 ? null : computeSum / latencies.length,
    fewestBlocksEstimateMs: floors.length === 0 ? null : percentile(floors.sort((a, b) => a - b), 50),
    accuracy: scored === 0 ? null : correct / scored,
  };
}

function isCorrect(status: string, box: Box | null, truth: Box | null): boolean {
  if (truth === null) {
    return status === "not_found";
  }
  return status === "grounded" && box !== null && intersectionOverUnion(box, truth) >= IOU_THRESHOLD;
}

/**
 * Spins one core until killed. It also exits when its parent is gone (its parent pid
 * changes), so a benchmark killed by a signal leaves no spinning process behind.
 */
const COMPETITOR_SOURCE = "const parent = process.ppid; for (let i = 1; ; i++) { if (i % 1e6 === 0 && process.ppid !== parent) process.exit(0); }";

/** Starts `count` CPU-bound Node processes. */
function startCompetitors(count: number): ChildProcess[] {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    children.push(spawn(process.execPath, ["-e", COMPETITOR_SOURCE], { stdio: "ignore" }));
  }
  return children;
}

/** Kills the competitors and waits until each has exited, so the next run starts without them. */
async function stopCompetitors(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
