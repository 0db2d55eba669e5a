/**
 * A minimal, test-only reader and executor for exported block-graph models. It is kept
 * apart from src/runtime on purpose: these tests check what train.py exports against
 * PyTorch's own outputs, so a bug shared with the runtime cannot hide here.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import * as ort from "onnxruntime-node";
import sharp from "sharp";

export interface TensorFile {
  file: string;
  shape: number[];
  dtype: "float32" | "int64";
}

export interface BlockCase {
  block: string;
  file: string;
  inputs: Record<string, TensorFile>;
  outputs: Record<string, TensorFile>;
}

export interface EndToEndCase {
  image: string;
  expression: string;
  policy: "full" | "lgmdp" | "softskip" | "static";
  box: { x: number; y: number; width: number; height: number } | null;
  score: number;
  executedBlocks: string[];
}

export interface GoldenFile {
  tolerance: { blocks: { abs: number; rel: number }; e2e: { boxPixels: number; score: number } };
  blocks: BlockCase[];
  tokenizer: Array<{ text: string; ids: number[] }>;
  e2e: EndToEndCase[];
}

export interface ManifestBlock {
  name: string;
  file: string;
  kind: "backbone" | "fusion" | "approximator" | "head";
  inputs: string[];
  outputs: string[];
  gate: number | null;
  skip?: { type: "identity" | "softskip" };
}

export interface Manifest {
  input: { width: number; height: number; letterbox: { padValue: number }; mean: number[]; std: number[] };
  tokenizer: { maxTokens: number; padId: number; unkId: number; vocab: string[]; untrainedWords?: string[] };
  text: { file: string };
  blocks: ManifestBlock[];
  outputs: string[];
  thresholds: { gate: number; score: number };
  static: { blocks: string[] };
  goldens: string;
}

export interface Model {
  dir: string;
  manifest: Manifest;
  goldens: GoldenFile;
  goldenDir: string;
}

export async function readModel(dir: string): Promise<Model> {
  const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as Manifest;
  const goldenPath = path.join(dir, manifest.goldens);
  const goldens = JSON.parse(await readFile(goldenPath, "utf8")) as GoldenFile;
  return { dir, manifest, goldens, goldenDir: path.dirname(goldenPath) };
}

export async function readTensor(model: Model, tensor: TensorFile): Promise<ort.Tensor> {
  const bytes = await readFile(path.join(model.goldenDir, tensor.file));
  // Copy into a fresh buffer: a file Buffer may start at an offset that typed arrays reject.
  const buffer = new Uint8Array(bytes).buffer;
  const data = tensor.dtype === "int64" ? new BigInt64Array(buffer) : new Float32Array(buffer);
  const count = tensor.shape.reduce((product, size) => product * size, 1);
  if (data.length !== count) {
    throw new Error(`golden ${tensor.file} holds ${data.length} values, shape ${JSON.stringify(tensor.shape)} needs ${count}`);
  }
  return new ort.Tensor(tensor.dtype, data, tensor.shape);
}

/** Find the first value outside |actual - expected| <= abs + rel * |expected|; undefined when all pass. */
export function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, abs: number, rel: number): string | undefined {
  if (actual.length !== expected.length) {
    return `length ${actual.length}, expected ${expected.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) {
      return `index ${i}: ${a} vs expected ${e}`;
    }
  }
  return undefined;
}

/** Tokenize as the model contract states: lowercase, [^a-z0-9'] to spaces, split, pad. */
export function tokenize(manifest: Manifest, text: string): number[] {
  const { vocab, maxTokens, padId, unkId } = manifest.tokenizer;
  const words = text.toLowerCase().replace(/[^a-z0-9']+/g, " ").split(" ").filter((w) => w.length > 0);
  // Untrained words are unknown to the runtime.
  const untrained = new Set(manifest.tokenizer.untrainedWords ?? []);
  const index = new Map(vocab.flatMap((word, id): Array<[string, number]> => (untrained.has(word) ? [] : [[word, id]])));
  const ids = words.slice(0, maxTokens).map((w) => index.get(w) ?? unkId);
  while (ids.length < maxTokens) ids.push(padId);
  return ids;
}

/** Session cache: one ONNX Runtime session per file of a model. */
export class Sessions {
  private readonly sessions = new Map<string, ort.InferenceSession>();

  constructor(private readonly dir: string) {}

  async get(file: string): Promise<ort.InferenceSession> {
    let session = this.sessions.get(file);
    if (session === undefined) {
      session = await ort.InferenceSession.create(path.join(this.dir, file), { intraOpNumThreads: 1 });
      this.sessions.set(file, session);
    }
    return session;
  }

  async release(): Promise<void> {
    for (const session of this.sessions.values()) await session.release();
    this.sessions.clear();
  }
}

interface Letterboxed {
  image: ort.Tensor;
  scale: number;
  offsetX: number;
  offsetY: number;
}

/** Centred letterbox with sharp, normalised to float32 NCHW as the manifest specifies. */
export async function letterbox(manifest: Manifest, file: string): Promise<Letterboxed> {
  const { width: size, height } = manifest.input;
  if (size !== height) throw new Error(`test letterbox expects a square input, got ${size}x${height}`);
  const meta = await sharp(file).metadata();
  const scale = Math.min(size / (meta.width ?? 0), size / (meta.height ?? 0));
  const w = Math.round((meta.width ?? 0) * scale);
  const h = Math.round((meta.height ?? 0) * scale);
  let pipeline = sharp(file).removeAlpha().toColourspace("srgb");
  if (w !== meta.width || h !== meta.height) pipeline = pipeline.resize(w, h, { fit: "fill" });
  const rgb = await pipeline.raw().toBuffer();
  const offsetX = Math.floor((size - w) / 2);
  const offsetY = Math.floor((size - h) / 2);
  const { mean, std, letterbox: { padValue } } = manifest.input;
  const data = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    const pad = (padValue / 255 - (mean[c] as number)) / (std[c] as number);
    data.fill(pad, c * size * size, (c + 1) * size * size);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const value = (rgb[(y * w + x) * 3 + c] as number) / 255;
        data[c * size * size + (y + offsetY) * size + x + offsetX] = (value - (mean[c] as number)) / (std[c] as number);
      }
    }
  }
  return { image: new ort.Tensor("float32", data, [1, 3, size, size]), scale, offsetX, offsetY };
}

export interface Grounding {
  box: { x: number; y: number; width: number; height: number } | null;
  score: number;
}

/**
 * Runs the listed blocks in manifest order on one image and sentence and returns the
 * best anchor over the heads that ran, mapped to original pixels. Skipped identity
 * blocks pass their input through.
 */
export async function runBlocks(model: Model, sessions: Sessions, input: Letterboxed, sentence: ort.Tensor, executed: string[]): Promise<Grounding> {
  const tensors = new Map<string, ort.Tensor>([["image", input.image], ["sentence", sentence]]);
  const run = new Set(executed);
  let best: { logit: number; box: number[] } | undefined;
  for (const block of model.manifest.blocks) {
    if (!run.has(block.name)) {
      const source = tensors.get(block.inputs[0] as string);
      if (block.skip?.type === "identity" && source !== undefined) tensors.set(block.outputs[0] as string, source);
      continue;
    }
    const session = await sessions.get(block.file);
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of block.inputs) {
      const tensor = tensors.get(name);
      if (tensor === undefined) throw new Error(`block ${block.name} needs tensor ${name}, which no earlier block produced`);
      feeds[name] = tensor;
    }
    const outputs = await session.run(feeds);
    for (const name of block.outputs) tensors.set(name, outputs[name] as ort.Tensor);
    if (block.kind === "head") {
      const pred = (outputs[block.outputs[0] as string] as ort.Tensor).data as Float32Array;
      for (let i = 0; i < pred.length; i += 5) {
        if (best === undefined || (pred[i] as number) > best.logit) best = { logit: pred[i] as number, box: Array.from(pred.subarray(i + 1, i + 5)) };
      }
    }
  }
  if (best === undefined) return { box: null, score: 0 };
  const [cx, cy, w, h] = best.box as [number, number, number, number];
  return {
    box: {
      x: (cx - w / 2 - input.offsetX) / input.scale,
      y: (cy - h / 2 - input.offsetY) / input.scale,
      width: w / input.scale,
      height: h / input.scale,
    },
    score: 1 / (1 + Math.exp(-best.logit)),
  };
}
