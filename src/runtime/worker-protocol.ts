import type { MessagePort } from "node:worker_threads";

import type { RawPixels } from "../image/raw-tensor";
import type { ModelManifest } from "./manifest";
import type { LetterboxTransform } from "../image/types";

/**
 * Messages between the engine (main thread) and its inference worker. Only plain data
 * crosses: typed arrays are transferred, never copied, where the sender owns them.
 */

/** Settings for opening one ONNX Runtime session per block in the worker. */
export interface WorkerSetup {
  textFile: string;
  textInputs: { tokens: string };
  textOutputs: { sentence: string; gates: string };
  blocks: Array<{ name: string; file: string; inputs: string[]; outputs: string[] }>;
  input: { width: number; height: number; mean: number[]; std: number[] };
  maxTokens: number;
  padId: number;
  gateCount: number;
  /** ONNX Runtime intra-op threads per session. */
  numThreads: number;
  /** Nice value the worker thread sets for itself before it opens the sessions. */
  nice: number;
}

/**
 * Reply channel of the worker. Its own port carries WorkerResponse and ReplySoon messages,
 * so the main thread can take a reply synchronously (receiveMessageOnPort). A shared int32
 * holds the id of the last response posted.
 */
export interface WorkerChannels {
  replies: MessagePort;
  /** One int32: the id of the last response posted to `replies`. */
  repliedId: SharedArrayBuffer;
}

/**
 * The image of one inference: RGB bytes already letterboxed by sharp, or decoded or raw
 * pixels that the worker letterboxes into the tensor itself.
 */
export type WorkerPixels =
  | { kind: "letterboxed"; rgb: Uint8Array }
  | { kind: "pixels"; pixels: RawPixels; transform: LetterboxTransform; padValue: number };

/**
 * One step of a plan in head-first order. `segmentMs` marks the first step of a head's
 * segment with the segment's predicted time, which the deadline check reads.
 */
export type WorkerStep = ({ kind: "run"; block: string } | { kind: "alias"; from: string; to: string }) & { segmentMs?: number };

export interface SerializedTensor {
  type: "float32" | "int64";
  data: Float32Array | BigInt64Array;
  dims: number[];
}

export type WorkerRequest =
  | { id: number; type: "encode"; tokens: BigInt64Array }
  | {
      id: number;
      type: "ground";
      handle: number;
      image: WorkerPixels;
      steps: WorkerStep[];
      heads: Array<{ block: string; output: string }>;
      deadlineAtMs: number | null;
      /** Index of the step before which the worker posts a ReplySoon; absent: none. */
      replySoonAtStep?: number;
    }
  | { id: number; type: "runBlock"; block: string; feeds: Record<string, SerializedTensor> }
  | { id: number; type: "release"; handle: number };

export interface EncodeResult {
  handle: number;
  gates: Float32Array;
  ms: number;
}

/** Best anchor of one head: score logit and box centre and size in model-input pixels. */
export interface HeadBest {
  head: string;
  anchor: number;
  logit: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
}

/**
 * Wall-clock time in ms on a clock both threads share: each thread's performance.now()
 * counts from its own start, but timeOrigin + now() is the same instant in both.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface GroundResult {
  /** epochMs() when the worker took the request, after any wait behind earlier requests. */
  startedAtMs: number;
  /** One entry per head that ran. */
  best: HeadBest[];
  /** Steps run, from the first; fewer than requested when the deadline stopped the plan. */
  completedSteps: number;
  /** Run time of each executed block, in ms. */
  blockMs: Record<string, number>;
  /** Building the normalised float tensor (and, for raw pixels, the letterbox), in ms. */
  preprocessMs: number;
  /** The request's pixel bytes, transferred back so that the engine can reuse the memory. */
  pixels: Uint8Array;
  /** Search for the best anchor, in ms. */
  selectMs: number;
}

export interface SerializedError {
  name: string;
  message: string;
  /** Model file the error is about, when it is about one. */
  file?: string;
}

export type WorkerResult = EncodeResult | GroundResult | Record<string, SerializedTensor> | null;

export type WorkerResponse =
  | { id: number; ok: true; result: WorkerResult }
  | { id: number; ok: false; error: SerializedError };

/**
 * Posted by the main thread just before it prepares a request, so that the worker's
 * wake-up overlaps that work. It has no id and no response.
 */
export interface WorkerWake {
  type: "wake";
}

/** Posted shortly before the response to request `id`, so that the main thread is awake for it. */
export interface ReplySoon {
  id: number;
  soon: true;
}

/** First message from the worker: sessions opened, or why not. */
/** Worker start-up result. `niceFailure` is the reason the worker could not set its nice value, and the worker runs anyway. */
export type WorkerReady = { type: "ready"; niceFailure?: string } | { type: "failed"; error: SerializedError };

/** Builds what the worker needs from a validated manifest: its files, tensor names and input. */
export function workerSetupFor(manifest: ModelManifest, numThreads: number, nice: number): WorkerSetup {
  return {
    textFile: manifest.text.file,
    textInputs: { tokens: manifest.text.tokensInput },
    textOutputs: { sentence: manifest.text.sentenceOutput, gates: manifest.text.gatesOutput },
    blocks: manifest.blocks.map((block) => ({ name: block.name, file: block.file, inputs: block.inputs, outputs: block.outputs })),
    input: { width: manifest.input.width, height: manifest.input.height, mean: manifest.input.mean, std: manifest.input.std },
    maxTokens: manifest.tokenizer.maxTokens,
    padId: manifest.tokenizer.padId,
    gateCount: manifest.gateCount,
    numThreads,
    nice,
  };
}
