/**
 * Reads a model's goldens.json: per-block input and output tensors written by PyTorch as
 * raw little-endian files, tokenizer cases and end-to-end cases, with their tolerances.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { Box, PolicyName } from "../../src/runtime/types";
import type { SerializedTensor } from "../../src/runtime/worker-protocol";

interface TensorFile {
  file: string;
  shape: number[];
  dtype: "float32" | "int64";
}

export interface BlockGolden {
  block: string;
  inputs: Record<string, TensorFile>;
  outputs: Record<string, TensorFile>;
}

export interface EndToEndGolden {
  image: string;
  expression: string;
  policy: PolicyName;
  box: Box | null;
  score: number;
  executedBlocks?: string[];
}

export interface Goldens {
  dir: string;
  tolerance: { blocks: { abs: number; rel: number }; e2e: { boxPixels: number; score: number } };
  blocks: BlockGolden[];
  tokenizer: Array<{ text: string; ids: number[] }>;
  e2e: EndToEndGolden[];
}

export async function readGoldens(file: string): Promise<Goldens> {
  const parsed = JSON.parse(await readFile(file, "utf8")) as Omit<Goldens, "dir">;
  return { ...parsed, dir: path.dirname(file), e2e: parsed.e2e ?? [], tokenizer: parsed.tokenizer ?? [] };
}

export async function readTensor(goldens: Goldens, tensor: TensorFile): Promise<SerializedTensor> {
  const bytes = await readFile(path.join(goldens.dir, tensor.file));
  // Copy into a fresh, aligned buffer: a file Buffer may start at any offset of a pool.
  const buffer = new Uint8Array(bytes).buffer;
  const data = tensor.dtype === "int64" ? new BigInt64Array(buffer) : new Float32Array(buffer);
  const expected = tensor.shape.reduce((product, size) => product * size, 1);
  if (data.length !== expected) {
    throw new Error(`golden tensor ${tensor.file} holds ${data.length} values but its shape ${JSON.stringify(tensor.shape)} needs ${expected}`);
  }
  return { type: tensor.dtype, data, dims: tensor.shape };
}

/** Largest violation of |actual - expected| <= abs + rel * |expected|, or undefined when all values pass. */
export function worstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, abs: number, rel: number): string | undefined {
  if (actual.length !== expected.length) {
    return `length ${actual.length} instead of ${expected.length}`;
  }
  let worst: { index: number; excess: number } | undefined;
  for (let index = 0; index < expected.length; index += 1) {
    const excess = Math.abs(actual[index] - expected[index]) - (abs + rel * Math.abs(expected[index]));
    if (!(excess <= 0) && (worst === undefined || !(excess <= worst.excess))) {
      worst = { index, excess };
    }
  }
  if (worst === undefined) {
    return undefined;
  }
  return `value ${worst.index} is ${actual[worst.index]} instead of ${expected[worst.index]}`;
}
