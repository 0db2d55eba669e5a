/**
 * Baseline for the worker thread: runs the full block graph with ONNX Runtime sessions
 * on the main thread, as a runtime without a worker would, and measures the main
 * thread's event-loop delay meanwhile.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

import * as ort from "onnxruntime-node";

import { readManifest } from "../src/runtime/manifest-reader";
import { normaliseImage } from "../src/runtime/normalise";
import { planExecution } from "../src/runtime/plan";

export interface InThreadResult {
  runs: number;
  /** Event-loop delay while the full graph ran back to back on the main thread, in ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export async function measureInThreadDelay(modelDir: string, runs: number, numThreads: number): Promise<InThreadResult> {
  const manifest = await readManifest(modelDir);
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: numThreads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" };
  const text = await ort.InferenceSession.create(manifest.text.file, options);
  const plan = planExecution(manifest, new Set(manifest.gateableBlocks), false);
  const sessions = new Map<string, ort.InferenceSession>();
  for (const step of plan.steps) {
    if (step.kind === "run") {
      sessions.set(step.block.name, await ort.InferenceSession.create(step.block.file, options));
    }
  }

  try {
    const tokens = new BigInt64Array(manifest.tokenizer.maxTokens).fill(BigInt(manifest.tokenizer.padId));
    const textOutputs = await text.run({ [manifest.text.tokensInput]: new ort.Tensor("int64", tokens, [1, tokens.length]) });
    const sentence = textOutputs[manifest.text.sentenceOutput];
    const { width, height, mean, std, padValue } = manifest.input;
    const rgb = new Uint8Array(width * height * 3).fill(padValue);

    const runGraph = async (): Promise<void> => {
      const tensors = new Map<string, ort.Tensor>([
        ["image", new ort.Tensor("float32", normaliseImage(rgb, width, height, mean, std), [1, 3, height, width])],
        ["sentence", sentence],
      ]);
      for (const step of plan.steps) {
        if (step.kind === "alias") {
          tensors.set(step.to, tensors.get(step.from) as ort.Tensor);
          continue;
        }
        const feeds = Object.fromEntries(step.block.inputs.map((input) => [input, tensors.get(input) as ort.Tensor]));
        const outputs = await (sessions.get(step.block.name) as ort.InferenceSession).run(feeds);
        step.block.outputs.forEach((output) => tensors.set(output, outputs[output]));
      }
    };

    await runGraph();
    const monitor = monitorEventLoopDelay({ resolution: 1 });
    monitor.enable();
    for (let run = 0; run < runs; run += 1) {
      await runGraph();
    }
    monitor.disable();
    return { runs, eventLoopDelayMs: { p50: monitor.percentile(50) / 1e6, p99: monitor.percentile(99) / 1e6, max: monitor.max / 1e6 } };
  } finally {
    await text.release();
    for (const session of sessions.values()) {
      await session.release();
    }
  }
}
