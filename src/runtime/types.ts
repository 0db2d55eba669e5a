/**
 * Public contract of the grounding runtime. The stream, the ROS node, replay and the CLI
 * depend on these types only; src/runtime implements them over onnxruntime-node.
 */
import type { PolicyName } from "../params/declarations";

export type { PolicyName };

/** Box in the original image's pixels, top-left origin. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Raw pixels as in sensor_msgs/Image. */
export interface RawImageInput {
  kind: "raw";
  encoding: string;
  width: number;
  height: number;
  /** Bytes per row, including any padding. */
  step: number;
  isBigEndian: boolean;
  data: Uint8Array;
}

/** Encoded bytes as in sensor_msgs/CompressedImage (`format` as published, may be empty). */
export interface CompressedImageInput {
  kind: "compressed";
  format: string;
  data: Uint8Array;
}

/** An image file on disk (JPEG or PNG), for the command line. */
export interface FileImageInput {
  kind: "file";
  path: string;
}

export type ImageInput = RawImageInput | CompressedImageInput | FileImageInput;

/** Text encoder and gate output for one expression; computed once per command. */
export interface CommandEncoding {
  /** Referring expression as passed to `encode`, which does not parse transcripts. */
  expression: string;
  tokenIds: number[];
  /** Words that were not in the vocabulary (mapped to the unknown token). */
  unknownWords: string[];
  /** Sentence embedding, kept inside the engine's worker; opaque to callers. */
  handle: number;
  /** Gate probability per gateable block name, in 0..1. */
  gates: Record<string, number>;
}

export interface GroundOptions {
  policy: PolicyName;
  /** Model-time budget for the budget policy, in ms. */
  budgetMs?: number;
  /**
   * Expected ratio of real to predicted model time (budget policy), when the caller plans
   * in predicted ms, as the stream's controller does. The plan fits `budgetMs` as
   * predicted, and the deadline is then `budgetMs × slowdown` of real time. Default 1.
   */
  slowdown?: number;
  /** Overrides the manifest's gate threshold (lgmdp, softskip). */
  gateThreshold?: number;
  /** Approximate skipped scales under the budget policy; default true. */
  softskip?: boolean;
  /** Overrides the manifest's minimum score for "grounded". */
  minScore?: number;
  /**
   * Origin of the image (topic, or bag file and offset), named in InputError messages and
   * `InputError.source`. Default: the file path, or "image".
   */
  source?: string;
}

export type GroundingStatus = "grounded" | "not_found";

export interface GroundingOutput {
  status: GroundingStatus;
  /** Best box even when below the minimum score; null only when no scale produced one. */
  box: Box | null;
  /** Grounding probability of the best anchor, in 0..1. */
  score: number;
  policy: PolicyName;
  executedBlocks: string[];
  /** Executed FLOPs / FLOPs of the full model. */
  computeRatio: number;
  /** Model-time budget the plan was made for, in ms (budget policy only). */
  budgetMs?: number;
  /** Model time the cost model predicted for the executed plan, in ms (budget policy only). */
  predictedMs?: number;
  /**
   * Model time the cost model predicts for the fewest blocks that still give a box: the
   * mandatory blocks and the cheapest single branch, in ms (budget policy only). No budget
   * makes an inference cheaper than this.
   */
  floorMs?: number;
  /**
   * Present (true) when the budget policy's deadline stopped the plan after some head had
   * run: the result is the best over the heads that ran, listed in `executedBlocks`.
   */
  stoppedAtDeadline?: true;
  /** Stage timings in ms: `total`, `decode`, `preprocess`, `text`, one per block, `postprocess`. */
  latencyMs: Record<string, number> & { total: number };
  /** Original image size in pixels. */
  imageWidth: number;
  imageHeight: number;
}

/** A loaded model ready to encode expressions and ground them on images. */
export interface GroundingEngine {
  readonly modelName: string;
  /** Names of the gateable blocks, in gate order. */
  readonly gateableBlocks: readonly string[];
  /** Words that name object categories (the manifest's `tokenizer.objectNouns`). */
  readonly objectNouns: readonly string[];
  /** Groups of object nouns that name the same kind (the manifest's `tokenizer.objectSynonyms`). */
  readonly objectSynonyms?: readonly (readonly string[])[];
  encode(text: string): Promise<CommandEncoding>;
  ground(image: ImageInput, command: CommandEncoding, options: GroundOptions): Promise<GroundingOutput>;
  /** Frees a command's cached sentence embedding. */
  release(command: CommandEncoding): void;
  close(): Promise<void>;
}
