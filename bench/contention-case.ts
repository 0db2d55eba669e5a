/**
 * The "Contention" benchmark case. It builds a timed robot session from dataset refs: one
 * spoken command, then 640x480 rgb8 camera frames of its scene at 5 Hz. It replays the
 * session through the grounding stream with runContentionBenchmark (bench/contention.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";

import sharp from "sharp";

import type { Logger } from "../src/log";
import { loadGroundingEngine } from "../src/runtime/engine";
import { percentile, readEvalDataset } from "../src/runtime/evaluation";
import type { EvalItem } from "../src/runtime/evaluation";
import type { RawImageInput } from "../src/runtime/types";
import type { ContentionCommand, ContentionFrame, ContentionReport } from "./contention";
import { runContentionBenchmark } from "./contention";
import { markdownTable } from "./report";

const FRAME_WIDTH = 640;
const FRAME_HEIGHT = 480;
/** Time between camera frames, in ms (5 Hz). */
const FRAME_INTERVAL_MS = 200;
const FRAMES_PER_COMMAND = 6;
/** Time from one command to the next, in ms; frames of a command end before the next one. */
const COMMAND_INTERVAL_MS = 1500;
/**
 * End-to-end target as a multiple of the full policy's idle ground() median. It must leave
 * room for the fewest blocks under two competitors, or no plan could meet it: at 1.3x
 * (12 ms on the 2-core bench machine) the fewest-blocks plan took p99 16.5 ms there. At 2x
 * the full policy still misses it under load (median 19.5 ms with two competitors).
 */
const LATENCY_BUDGET_FACTOR = 2;
/** Nice value of the prioritized runs: the node's `nice` parameter as a robot would set it. */
const PRIORITY_NICE = -10;

export interface ContentionCaseOptions {
  modelDir: string;
  dataDir: string;
  split: string;
  /** Spoken commands in the session. */
  commands: number;
  numThreads: number;
  logger: Logger;
}

export interface ContentionCaseResult {
  model: string;
  /** Median time of one full-policy ground() without competing processes, in ms. */
  idleFullMs: number;
  report: ContentionReport;
}

export async function runContentionCase(options: ContentionCaseOptions): Promise<ContentionCaseResult> {
  const dataset = await readEvalDataset(options.dataDir, options.split, options.commands);
  const { frames, commands } = await buildSession(dataset.items);
  const engine = await loadGroundingEngine(options.modelDir, { numThreads: options.numThreads, logger: options.logger });
  try {
    const idleFullMs = await medianFullMs(engine, frames[0].image, commands[0].text);
    const latencyBudgetMs = Math.ceil(idleFullMs * LATENCY_BUDGET_FACTOR);
    const prioritizedEngine = await loadGroundingEngine(options.modelDir, { numThreads: options.numThreads, nice: PRIORITY_NICE, logger: options.logger });
    try {
      const report = await runContentionBenchmark({
        engine,
        frames,
        commands,
        policies: ["full", "budget"],
        competitors: [0, 1, 2],
        fewestBlocksRuns: true,
        prioritized: { engine: prioritizedEngine, nice: PRIORITY_NICE },
        parameters: { latency_budget_ms: latencyBudgetMs, command_ttl_s: (FRAMES_PER_COMMAND * FRAME_INTERVAL_MS + 100) / 1000 },
        logger: options.logger,
      });
      return { model: engine.modelName, idleFullMs, report };
    } finally {
      await prioritizedEngine.close();
    }
  } finally {
    await engine.close();
  }
}

async function buildSession(items: EvalItem[]): Promise<{ frames: ContentionFrame[]; commands: ContentionCommand[] }> {
  const frames: ContentionFrame[] = [];
  const commands: ContentionCommand[] = [];
  for (const [index, item] of items.entries()) {
    const startMs = index * COMMAND_INTERVAL_MS;
    commands.push({ atMs: startMs, text: item.raw });

    const { image, scaleX, scaleY } = await cameraFrame(item.imagePath);
    const truth = item.box === null ? null : { x: item.box.x * scaleX, y: item.box.y * scaleY, width: item.box.width * scaleX, height: item.box.height * scaleY };
    for (let frame = 0; frame < FRAMES_PER_COMMAND; frame += 1) {
      const atMs = startMs + 100 + frame * FRAME_INTERVAL_MS;
      frames.push({
        atMs,
        header: { stamp: { sec: Math.floor(atMs / 1000), nanosec: (atMs % 1000) * 1e6 }, frame_id: "camera" },
        image,
        truth,
      });
    }
  }
  return { frames, commands };
}

/** Stretches a dataset image to a 640x480 rgb8 frame, as a camera driver would publish it. */
async function cameraFrame(file: string): Promise<{ image: RawImageInput; scaleX: number; scaleY: number }> {
  const source = sharp(file);
  const { width = FRAME_WIDTH, height = FRAME_HEIGHT } = await source.metadata();
  const data = await source.removeAlpha().resize(FRAME_WIDTH, FRAME_HEIGHT, { fit: "fill" }).raw().toBuffer();
  const image: RawImageInput = { kind: "raw", encoding: "rgb8", width: FRAME_WIDTH, height: FRAME_HEIGHT, step: FRAME_WIDTH * 3, isBigEndian: false, data };
  return { image, scaleX: FRAME_WIDTH / width, scaleY: FRAME_HEIGHT / height };
}

/**
 * Median full-policy ground() time with one call per frame interval, as in the session.
 * Calls 200 ms apart took 11.5 ms against 9.1 ms back to back on the 2-core bench machine (caches and CPU
 * power states cool down in between), so the target is set at the session's rate.
 */
async function medianFullMs(engine: Awaited<ReturnType<typeof loadGroundingEngine>>, image: ContentionFrame["image"], text: string): Promise<number> {
  const command = await engine.encode(text.slice(0, 500).trim() || "the object");
  const times: number[] = [];
  try {
    for (let run = 0; run < 15; run += 1) {
      await sleep(FRAME_INTERVAL_MS);
      times.push((await engine.ground(image, command, { policy: "full" })).latencyMs.total);
    }
  } finally {
    engine.release(command);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

/** Formats the "Contention" section of docs/benchmarks.md. */
export function formatContentionMarkdown(result: ContentionCaseResult, command: string, machine: string, modelNote: string): string {
  const percent = (value: number | null): string => (value === null ? "n/a" : `${(value * 100).toFixed(1)}%`);
  const ms = (value: number | null): string => (value === null ? "n/a" : value.toFixed(1));
  const rows = result.report.runs.map((run) => [
    run.label,
    String(run.competitors),
    `${run.results}/${run.frames}`,
    String(run.dropped.busy + run.dropped.stale),
    percent(run.overBudgetShare),
    String(run.stoppedAtDeadline),
    ms(run.latencyMs.p50),
    ms(run.latencyMs.p99),
    ms(run.fewestBlocksEstimateMs),
    percent(run.computeRatio),
    percent(run.accuracy),
  ]);
  return [
    `Command: \`${command}\``,
    "",
    `Machine: ${machine}. Model: ${result.model} (${modelNote}).`,
    "",
    `A session of spoken commands from the dataset, each followed by six 640x480 rgb8 frames at 5 Hz, replayed at real rate through the grounding stream while 0, 1 or 2 CPU-bound processes compete for the CPU. The end-to-end target is ${result.report.latencyBudgetMs} ms, ${LATENCY_BUDGET_FACTOR} times the full policy's ground() median of ${result.idleFullMs.toFixed(1)} ms without competitors, measured with one call every ${FRAME_INTERVAL_MS} ms as in the session (back to back it is faster).`,
    "",
    `The rows marked nice ${PRIORITY_NICE} run with the node's \`nice\` parameter at ${PRIORITY_NICE}: the stream's main thread and the inference thread run ahead of the competitors, which stay at the default 0. Setting it needs CAP_SYS_NICE; without it the benchmark warns and those rows run at the default priority.`,
    "",
    "The fewest-blocks rows run the budget policy with a 1 ms model budget, so every plan stops after its cheapest head; they show the lowest latency any plan reaches under that load, scored against the same target. The fewest-blocks estimate is the stream's own prediction of that latency (median over results; the budget controller plans with its 90th percentile of slowdown and overhead), which it reports in /diagnostics and warns about when it exceeds the target.",
    "",
    markdownTable(
      ["policy", "competitors", "results/frames", "dropped", "over budget", "cut at deadline", "p50 ms", "p99 ms", "fewest blocks est. ms", "compute", "accuracy"],
      rows,
    ),
  ].join("\n");
}
