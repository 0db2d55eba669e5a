/**
 * The block-graph model as the runtime uses it, after validation: absolute file paths,
 * defaults filled in, gate count known. The on-disk format is described in
 * docs/architecture.md ("Model format: a block graph"); parsing lives in manifest-reader.ts.
 */

export type BlockKind = "backbone" | "fusion" | "approximator" | "head";

/** Replacement for a block that does not run: nothing, its input, or a SoftSkip approximator. */
export type SkipRule = "none" | "identity" | "softskip";

export interface BlockSpec {
  name: string;
  /** Absolute path of the block's ONNX file. */
  file: string;
  kind: BlockKind;
  inputs: string[];
  outputs: string[];
  /** Floating-point operations of one run. */
  flops: number;
  params: number;
  /** Index into the text encoder's gate output, or null for blocks that are never gated. */
  gate: number | null;
  mandatory: boolean;
  skip: SkipRule;
  /** Output scale ("s8", "s16", "s32") of fusion, approximator and head blocks. */
  scale: string | null;
}

export interface InputSpec {
  width: number;
  height: number;
  /** Grey level (0..255) of the letterbox border. */
  padValue: number;
  /** Per-channel mean and standard deviation on RGB scaled to 0..1. */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface TokenizerSpec {
  maxTokens: number;
  padId: number;
  unkId: number;
  vocab: string[];
  /**
   * Words and phrases that name an object category ("mug", "coffee mug"), lowercase;
   * empty when the manifest lists none.
   */
  objectNouns: string[];
  /**
   * Groups of objectNouns that name the same kind of object (["mug", "cup", "coffee mug"]).
   * With them, "not the mug, the cup" reads as naming the mug again. Empty when none.
   */
  objectSynonyms: string[][];
  /**
   * Vocabulary words that no training sentence contained. Their embeddings were never
   * trained, so the tokenizer maps them to unkId and reports them as unknown; empty when
   * the manifest lists none.
   */
  untrainedWords: string[];
}

export interface TextSpec {
  file: string;
  tokensInput: string;
  sentenceOutput: string;
  gatesOutput: string;
  /** FLOPs of the text encoder and gate, 0 when the manifest does not give them. */
  flops: number;
}

export interface ModelManifest {
  /** Absolute model directory. */
  dir: string;
  /** Absolute path of manifest.json, named in every error about the model. */
  manifestPath: string;
  name: string;
  input: InputSpec;
  tokenizer: TokenizerSpec;
  text: TextSpec;
  /** Blocks in the manifest's order, which is a valid execution order. */
  blocks: BlockSpec[];
  outputs: string[];
  /** Anchor sizes [width, height] in model-input pixels, per scale. */
  anchors: Record<string, Array<[number, number]>>;
  thresholds: { gate: number; score: number };
  /** Gateable blocks the static policy runs, or null when the manifest has none. */
  staticBlocks: string[] | null;
  /** Absolute directory of separately trained static weights, or null. */
  staticModelDir: string | null;
  /** Absolute path of goldens.json, or null when the manifest names none or the file is absent. */
  goldensPath: string | null;
  /** Number of gate probabilities the text encoder returns. */
  gateCount: number;
  /** Gateable block names ordered by gate index. */
  gateableBlocks: string[];
  /** FLOPs of all non-approximator blocks: the denominator of the compute ratio. */
  fullFlops: number;
}

/** Tensor names the runtime provides itself rather than a block. */
export const IMAGE_TENSOR = "image";
export const SENTENCE_TENSOR = "sentence";
