/**
 * Runtime benchmark. It scores every policy on a dataset split (accuracy, compute ratio,
 * latency). Then it grounds a 640x480 rgb8 frame back to back per policy and measures the
 * stage breakdown, the share of time outside ONNX Runtime, the main thread's event-loop
 * delay while inference runs, and memory.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

import sharp from "sharp";

import type { Logger } from "../src/log";
import { POLICY_NAMES } from "../src/params/declarations";
import { loadGroundingEngine } from "../src/runtime/engine";
import type { EvalReport } from "../src/runtime/evaluation";
import { evaluatePolicies, latencySummary, percentile, readEvalDataset } from "../src/runtime/evaluation";
import type { GroundingOutput, RawImageInput } from "../src/runtime/types";
import type { InThreadResult } from "./in-thread";
import { measureInThreadDelay } from "./in-thread";
import { markdownTable } from "./report";

export interface RuntimeBenchmarkOptions {
  modelDir: string;
  dataDir: string;
  split: string;
  /** Maximum expressions of the split to score. */
  limit: number;
  /** Runs per policy on the 640x480 frame. */
  frameRuns: number;
  /** Budget policy's model-time budget as a fraction of the full policy's median ground time; default 0.6. */
  budgetFraction?: number;
  numThreads: number;
  logger: Logger;
}

export interface FrameBreakdown {
  runs: number;
  /** Medians over the runs, in ms. */
  medianMs: { decode: number; preprocess: number; blocks: number; postprocess: number; dispatch: number; total: number };
  /** Median share of each run's time spent outside ONNX Runtime sessions, in 0..1. */
  nonOrtShare: number;
  computeRatio: number;
  executedBlocks: number;
}

export interface RuntimeBenchmarkResult {
  model: string;
  budgetMs: number;
  eval: EvalReport;
  frame: { width: number; height: number; encoding: string; policies: Record<string, FrameBreakdown> };
  /** Main-thread event-loop delay while frames were grounded back to back, in ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** The same delay over one idle second before the runs, as a baseline for this machine, in ms. */
  idleEventLoopDelayMs: { p50: number; p99: number; max: number };
  /** The same delay while the full graph ran on the main thread instead of the worker, in ms. */
  inThreadEventLoopDelayMs: InThreadResult["eventLoopDelayMs"];
  memoryMiB: { rssAfterLoad: number; rssAfterRuns: number; maxRss: number };
}

export async function runRuntimeBenchmark(options: RuntimeBenchmarkOptions): Promise<RuntimeBenchmarkResult> {
  const { logger } = options;
  const engine = await loadGroundingEngine(options.modelDir, { numThreads: options.numThreads, logger });
  const rssAfterLoad = process.memoryUsage().rss;
  try {
    const dataset = await readEvalDataset(options.dataDir, options.split, options.limit);

    logger.info("Measuring the full policy to size the budget.");
    const fullMs = await medianFullMs(engine, dataset.items.slice(0, 10).map((item) => ({ path: item.imagePath, text: item.sent })));
    const budgetMs = Math.max(0.1, Math.round(fullMs * (options.budgetFraction ?? 0.6) * 10) / 10);

    logger.info(`Scoring ${dataset.items.length} expressions with ${POLICY_NAMES.join(", ")} (budget ${budgetMs} ms).`);
    const evalReport = await evaluatePolicies(engine, dataset, { policies: [...POLICY_NAMES], budgetMs, text: "raw", logger });

    logger.info(`Grounding a 640x480 rgb8 frame ${options.frameRuns} times per policy.`);
    const frame = await rawFrame(dataset.items[0].imagePath, 640, 480);
    const command = await engine.encode(dataset.items[0].sent);
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    idle.disable();
    const monitor = monitorEventLoopDelay({ resolution: 1 });
    // Policies take turns run by run, so that load from other processes on a shared
    // machine affects them alike.
    const outputs = new Map<string, GroundingOutput[]>(POLICY_NAMES.map((policy) => [policy, []]));
    try {
      for (const policy of POLICY_NAMES) {
        await engine.ground(frame, command, { policy, budgetMs });
      }
      monitor.enable();
      for (let run = 0; run < options.frameRuns; run += 1) {
        for (const policy of POLICY_NAMES) {
          outputs.get(policy)?.push(await engine.ground(frame, command, { policy, budgetMs }));
        }
      }
      monitor.disable();
    } finally {
      engine.release(command);
    }
    const policies: Record<string, FrameBreakdown> = {};
    for (const [policy, list] of outputs) {
      policies[policy] = breakdown(list);
    }

    logger.info("Running the full graph on the main thread for comparison.");
    const inThread = await measureInThreadDelay(options.modelDir, options.frameRuns, options.numThreads);

    return {
      model: engine.modelName,
      budgetMs,
      eval: evalReport,
      frame: { width: 640, height: 480, encoding: "rgb8", policies },
      eventLoopDelayMs: { p50: monitor.percentile(50) / 1e6, p99: monitor.percentile(99) / 1e6, max: monitor.max / 1e6 },
      idleEventLoopDelayMs: { p50: idle.percentile(50) / 1e6, p99: idle.percentile(99) / 1e6, max: idle.max / 1e6 },
      inThreadEventLoopDelayMs: inThread.eventLoopDelayMs,
      memoryMiB: {
        rssAfterLoad: rssAfterLoad / 2 ** 20,
        rssAfterRuns: process.memoryUsage().rss / 2 ** 20,
        maxRss: process.resourceUsage().maxRSS / 1024,
      },
    };
  } finally {
    await engine.close();
  }
}

async function medianFullMs(engine: Awaited<ReturnType<typeof loadGroundingEngine>>, cases: Array<{ path: string; text: string }>): Promise<number> {
  const times: number[] = [];
  for (const { path, text } of cases) {
    const command = await engine.encode(text);
    await engine.ground({ kind: "file", path }, command, { policy: "full" });
    times.push((await engine.ground({ kind: "file", path }, command, { policy: "full" })).latencyMs.total);
    engine.release(command);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

/** Decodes a dataset image and stretches it to a raw rgb8 camera frame of the given size. */
async function rawFrame(file: string, width: number, height: number): Promise<RawImageInput> {
  const data = await sharp(file).removeAlpha().resize(width, height, { fit: "fill" }).raw().toBuffer();
  return { kind: "raw", encoding: "rgb8", width, height, step: width * 3, isBigEndian: false, data };
}

function breakdown(outputs: GroundingOutput[]): FrameBreakdown {
  const median = (values: number[]): number => latencySummary(values).p50;
  const blocksMs = outputs.map((output) => output.executedBlocks.reduce((sum, name) => sum + (output.latencyMs[name] ?? 0), 0));
  return {
    runs: outputs.length,
    medianMs: {
      decode: median(outputs.map((output) => output.latencyMs.decode)),
      preprocess: median(outputs.map((output) => output.latencyMs.preprocess)),
      blocks: median(blocksMs),
      postprocess: median(outputs.map((output) => output.latencyMs.postprocess)),
      dispatch: median(outputs.map((output) => output.latencyMs.dispatch ?? 0)),
      total: median(outputs.map((output) => output.latencyMs.total)),
    },
    nonOrtShare: median(outputs.map((output, index) => (output.latencyMs.total - blocksMs[index]) / output.latencyMs.total)),
    computeRatio: median(outputs.map((output) => output.computeRatio)),
    executedBlocks: median(outputs.map((output) => output.executedBlocks.length)),
  };
}

/** Formats the "Runtime" section of docs/benchmarks.md. */
export function formatRuntimeMarkdown(result: RuntimeBenchmarkResult, command: string, machine: string, modelNote: string): string {
  const full = result.eval.policies.full;
  const evalRows = Object.entries(result.eval.policies).map(([policy, report]) => [
    policy,
    `${(report.accuracy * 100).toFixed(1)}%`,
    `${(report.decisionAccuracy * 100).toFixed(1)}%`,
    `${(report.computeRatio * 100).toFixed(1)}%`,
    report.latencyMs.mean.toFixed(2),
    report.latencyMs.p50.toFixed(2),
    report.latencyMs.p90.toFixed(2),
    report.latencyMs.p99.toFixed(2),
    full === undefined ? "" : (report.latencyMs.mean / full.latencyMs.mean).toFixed(2),
    full === undefined ? "" : (report.latencyMs.p50 / full.latencyMs.p50).toFixed(2),
    report.stageMeansMs.decode.toFixed(2),
    report.stageMeansMs.preprocess.toFixed(2),
    report.stageMeansMs.blocks.toFixed(2),
    (report.stageMeansMs.postprocess + report.stageMeansMs.dispatch).toFixed(2),
  ]);
  const fullFrame = result.frame.policies.full;
  const frameRows = Object.entries(result.frame.policies).map(([policy, frame]) => [
    policy,
    frame.medianMs.decode.toFixed(2),
    frame.medianMs.preprocess.toFixed(2),
    frame.medianMs.blocks.toFixed(2),
    frame.medianMs.postprocess.toFixed(2),
    frame.medianMs.dispatch.toFixed(2),
    frame.medianMs.total.toFixed(2),
    `${(frame.nonOrtShare * 100).toFixed(1)}%`,
    fullFrame === undefined ? "" : (frame.medianMs.total / fullFrame.medianMs.total).toFixed(2),
  ]);

  return [
    `Command: \`${command}\``,
    "",
    `Machine: ${machine}. Model: ${result.model} (${modelNote}). One ONNX Runtime intra-op thread per block session.`,
    "The machine is shared, so single numbers can move by tens of percent between runs; compare the ratios.",
    "",
    `### Policies on ${result.eval.count} expressions (split ${result.eval.split}, spoken commands through transcript parsing)`,
    "",
    `Accuracy and decision accuracy are the model card's (present referents whose best box has IoU >= 0.5; all refs with the score threshold applied). Latency is one \`engine.ground\` call per image (JPEG decode, letterbox, blocks, box mapping), in ms; the text encoder runs once per expression (median ${result.eval.textMs.p50.toFixed(2)} ms). The budget policy planned for ${result.budgetMs} ms, 60% of the full policy's median. The last four columns split the mean: reading and decoding the JPEG file with sharp, letterbox and normalisation, the model blocks, and the rest (box mapping, planning, messages to and from the inference worker).`,
    "",
    markdownTable(
      ["policy", "accuracy", "decision accuracy", "compute ratio", "mean ms", "p50 ms", "p90 ms", "p99 ms", "mean / full", "p50 / full", "decode", "preprocess", "blocks", "rest"],
      evalRows,
    ),
    "",
    `### One 640x480 rgb8 frame, ${fullFrame?.runs ?? 0} runs per policy (medians, ms)`,
    "",
    markdownTable(["policy", "decode", "preprocess", "blocks", "postprocess", "dispatch", "total", "outside ORT", "total / full"], frameRows),
    "",
    `Main-thread event-loop delay while frames were grounded back to back: p50 ${result.eventLoopDelayMs.p50.toFixed(2)} ms, p99 ${result.eventLoopDelayMs.p99.toFixed(2)} ms, max ${result.eventLoopDelayMs.max.toFixed(2)} ms. Inference runs in a worker thread, but the main thread waits busily for each result for up to \`reply_spin_ms\` (default 2 ms), which counts as delay here. Over one idle second before the runs it was p50 ${result.idleEventLoopDelayMs.p50.toFixed(2)} ms, p99 ${result.idleEventLoopDelayMs.p99.toFixed(2)} ms, max ${result.idleEventLoopDelayMs.max.toFixed(2)} ms. With the same sessions on the main thread (bench/in-thread.ts, full graph on a grey image, no image decoding) it was p50 ${result.inThreadEventLoopDelayMs.p50.toFixed(2)} ms, p99 ${result.inThreadEventLoopDelayMs.p99.toFixed(2)} ms, max ${result.inThreadEventLoopDelayMs.max.toFixed(2)} ms. There each block blocks the loop for its whole run, so the delay grows with the longest block, which is short on a fast CPU.`,
    `Resident memory: ${result.memoryMiB.rssAfterLoad.toFixed(0)} MiB after loading, ${result.memoryMiB.rssAfterRuns.toFixed(0)} MiB after the runs, peak ${result.memoryMiB.maxRss.toFixed(0)} MiB.`,
  ].join("\n");
}
