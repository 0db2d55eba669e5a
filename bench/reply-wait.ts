/**
 * Reply-wait benchmark: the same 640x480 rgb8 frame grounded by two engines, one whose main
 * thread sleeps until the worker's reply (replySpinMs 0) and one with the default busy
 * wait. The engines take turns frame by frame, so that drifts in machine load hit both
 * alike, once back to back and once with a camera-like pause between frames. Then each
 * runs alone for the event-loop delay and the process CPU time per frame.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

import type { Logger } from "../src/log";
import { DEFAULT_REPLY_SPIN_MS, loadGroundingEngine } from "../src/runtime/engine";
import type { OnnxGroundingEngine } from "../src/runtime/engine";
import { latencySummary } from "../src/runtime/evaluation";
import type { RawImageInput } from "../src/runtime/types";
import { markdownTable } from "./report";

export interface ReplyWaitOptions {
  modelDir: string;
  numThreads: number;
  /** Frames per engine and pause. */
  frameRuns: number;
  logger: Logger;
}

/** Pauses between frames, in ms: back to back, and about a 30 Hz camera. */
const PAUSES_MS = [0, 30];
const WARM_UP_FRAMES = 20;

interface WaitRow {
  replySpinMs: number;
  pauseMs: number;
  p50: number;
  p90: number;
  mean: number;
  /** Median share of a frame's time outside the blocks, in 0..1. */
  outsideBlocks: number;
}

interface AloneRow {
  replySpinMs: number;
  eventLoopDelayMs: { p99: number; max: number };
  /** Process CPU time per frame, user plus system, in ms. */
  cpuMsPerFrame: number;
}

export interface ReplyWaitResult {
  frames: number;
  paired: WaitRow[];
  alone: AloneRow[];
}

/** Returns a 640x480 rgb8 frame of a fixed pattern, because the blocks' time does not depend on the picture. */
function patternFrame(): RawImageInput {
  const width = 640;
  const height = 480;
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < data.length; index += 1) {
    data[index] = (index * 7 + (index >> 10)) & 0xff;
  }
  return { kind: "raw", encoding: "rgb8", width, height, step: width * 3, isBigEndian: false, data };
}

export async function runReplyWaitBenchmark(options: ReplyWaitOptions): Promise<ReplyWaitResult> {
  const spins = [0, DEFAULT_REPLY_SPIN_MS];
  const engines: OnnxGroundingEngine[] = [];
  try {
    for (const replySpinMs of spins) {
      engines.push(await loadGroundingEngine(options.modelDir, { numThreads: options.numThreads, replySpinMs, logger: options.logger }));
    }
    const commands = await Promise.all(engines.map((engine) => engine.encode("the red mug left of the bowl")));
    const frame = patternFrame();
    const ground = (index: number): ReturnType<OnnxGroundingEngine["ground"]> => engines[index].ground(frame, commands[index], { policy: "full" });

    const paired: WaitRow[] = [];
    for (const pauseMs of PAUSES_MS) {
      options.logger.info(`Grounding ${options.frameRuns} frames per engine, ${pauseMs} ms apart, turn by turn.`);
      const totals: number[][] = spins.map(() => []);
      const outside: number[][] = spins.map(() => []);
      for (let run = 0; run < WARM_UP_FRAMES + options.frameRuns; run += 1) {
        for (let index = 0; index < engines.length; index += 1) {
          if (pauseMs > 0) {
            await sleep(pauseMs);
          }
          const output = await ground(index);
          if (run >= WARM_UP_FRAMES) {
            const blocksMs = output.executedBlocks.reduce((sum, name) => sum + (output.latencyMs[name] ?? 0), 0);
            totals[index].push(output.latencyMs.total);
            outside[index].push((output.latencyMs.total - blocksMs) / output.latencyMs.total);
          }
        }
      }
      spins.forEach((replySpinMs, index) => {
        const summary = latencySummary(totals[index]);
        paired.push({ replySpinMs, pauseMs, p50: summary.p50, p90: summary.p90, mean: summary.mean, outsideBlocks: latencySummary(outside[index]).p50 });
      });
    }

    const alone: AloneRow[] = [];
    for (let index = 0; index < engines.length; index += 1) {
      const monitor = monitorEventLoopDelay({ resolution: 1 });
      const cpuBefore = process.cpuUsage();
      monitor.enable();
      for (let run = 0; run < options.frameRuns; run += 1) {
        await ground(index);
      }
      monitor.disable();
      const cpu = process.cpuUsage(cpuBefore);
      alone.push({
        replySpinMs: spins[index],
        eventLoopDelayMs: { p99: monitor.percentile(99) / 1e6, max: monitor.max / 1e6 },
        cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / options.frameRuns,
      });
    }
    engines.forEach((engine, index) => engine.release(commands[index]));
    return { frames: options.frameRuns, paired, alone };
  } finally {
    await Promise.all(engines.map((engine) => engine.close()));
  }
}

/** Formats the "Reply wait" section of docs/benchmarks.md. */
export function formatReplyWaitMarkdown(result: ReplyWaitResult, command: string, machine: string, modelNote: string): string {
  const sleeping = (pauseMs: number): WaitRow | undefined => result.paired.find((row) => row.replySpinMs === 0 && row.pauseMs === pauseMs);
  const pairedRows = result.paired.map((row) => [
    String(row.replySpinMs),
    String(row.pauseMs),
    row.p50.toFixed(2),
    row.p90.toFixed(2),
    row.mean.toFixed(2),
    `${(row.outsideBlocks * 100).toFixed(1)}%`,
    ((sleeping(row.pauseMs)?.p50 ?? row.p50) - row.p50).toFixed(2),
  ]);
  const aloneRows = result.alone.map((row) => [String(row.replySpinMs), row.eventLoopDelayMs.p99.toFixed(2), row.eventLoopDelayMs.max.toFixed(2), row.cpuMsPerFrame.toFixed(2)]);
  return [
    `Command: \`${command}\``,
    "",
    `Machine: ${machine}. Model: ${modelNote}, full policy, one 640x480 rgb8 frame.`,
    "",
    "`reply_spin_ms` 0 lets the main thread sleep until the worker's reply; the default busy-waits from about 0.5 ms before the predicted end " +
      `(at most ${DEFAULT_REPLY_SPIN_MS} ms). The two engines took turns frame by frame, ${result.frames} frames each per pause, so load changes hit both alike. ` +
      "Times are end to end per `ground` call, in ms; \"saved\" is the sleeping engine's p50 minus this one's.",
    "",
    markdownTable(["reply_spin_ms", "pause ms", "p50", "p90", "mean", "outside blocks", "p50 saved"], pairedRows),
    "",
    `Each engine alone, ${result.frames} frames back to back: the main thread's event-loop delay and the process CPU time per frame (both threads).`,
    "",
    markdownTable(["reply_spin_ms", "event-loop p99 ms", "event-loop max ms", "CPU ms per frame"], aloneRows),
  ].join("\n");
}
