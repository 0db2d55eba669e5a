/**
 * Reads and validates manifest.json. Every problem is reported as one ModelError sentence
 * naming the manifest file and the field, so a broken export fails at load and never in
 * the middle of a stream.
 */
import { access, readFile } from "node:fs/promises";
import path from "node:path";

import { describeError, ModelError } from "../errors";
import { pathExists } from "../path-exists";
import type { BlockKind, BlockSpec, InputSpec, ModelManifest, SkipRule, TextSpec, TokenizerSpec } from "./manifest";
import type { Json } from "./manifest-fields";
import {
  booleanField,
  isObject,
  ManifestProblem,
  nonEmptyString,
  nonNegativeNumber,
  objectField,
  positiveInteger,
  show,
  stringArray,
  unitNumber,
} from "./manifest-fields";
import { checkGraph } from "./manifest-graph";

export const MANIFEST_FORMAT = "softskip-block-graph";
export const MANIFEST_VERSION = 1;

const BLOCK_KINDS: readonly BlockKind[] = ["backbone", "fusion", "approximator", "head"];

/**
 * Loads `modelDir/manifest.json`, checks its fields, its graph and that every file it
 * names exists. Throws ModelError on the first problem.
 */
export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const dir = path.resolve(modelDir);
  const manifestPath = path.join(dir, "manifest.json");
  const problem = new ManifestProblem(manifestPath);

  const root = await readJson(manifestPath);
  if (root.format !== MANIFEST_FORMAT) {
    throw problem.error(`format is ${JSON.stringify(root.format)} but must be "${MANIFEST_FORMAT}"; export the model with models/training/train.py.`);
  }
  if (root.version !== MANIFEST_VERSION) {
    throw problem.error(`version ${show(root.version)} is not supported; this runtime reads version ${MANIFEST_VERSION}.`);
  }

  const input = readInput(problem, objectField(problem, root, "input"));
  const tokenizer = readTokenizer(problem, objectField(problem, root, "tokenizer"));
  const text = readText(problem, dir, objectField(problem, root, "text"));
  const blocks = readBlocks(problem, dir, root.blocks);
  const outputs = stringArray(problem, root.outputs, "outputs");
  const anchors = readAnchors(problem, objectField(problem, root, "anchors"));
  const thresholds = objectField(problem, root, "thresholds");
  const gateThreshold = unitNumber(problem, thresholds.gate, "thresholds.gate");
  const scoreThreshold = unitNumber(problem, thresholds.score, "thresholds.score");

  const graph = checkGraph(problem, blocks, outputs, anchors);
  checkOptionalSummaries(problem, root, graph.gateableBlocks, graph.fullFlops);

  const staticBlocks = readStaticBlocks(problem, root.static, graph.gateableBlocks);
  const staticModelDir = optionalPath(problem, dir, root.staticModel, "staticModel");
  // Goldens are test data that inference never reads, so a deployment may strip them.
  const namedGoldens = optionalPath(problem, dir, root.goldens, "goldens");
  const goldensPath = namedGoldens !== null && (await pathExists(namedGoldens)) ? namedGoldens : null;

  await requireFiles(problem, [
    ["text.file", text.file],
    ...blocks.map((block, index): [string, string] => [`blocks[${index}].file`, block.file]),
    ...(staticModelDir === null ? [] : [["staticModel", path.join(staticModelDir, "manifest.json")] as [string, string]]),
  ]);

  return {
    dir,
    manifestPath,
    name: typeof root.name === "string" && root.name !== "" ? root.name : path.basename(dir),
    input,
    tokenizer,
    text,
    blocks,
    outputs,
    anchors,
    thresholds: { gate: gateThreshold, score: scoreThreshold },
    staticBlocks,
    staticModelDir,
    goldensPath,
    gateCount: graph.gateableBlocks.length,
    gateableBlocks: graph.gateableBlocks,
    fullFlops: graph.fullFlops,
  };
}

/**
 * Checks the optional summaries an exporter may add: `gates` (gateable block names in gate
 * order) and `fullFlops` (FLOPs of all non-approximator blocks) must agree with the blocks.
 */
function checkOptionalSummaries(problem: ManifestProblem, root: Json, gateableBlocks: string[], fullFlops: number): void {
  if (root.gates !== undefined) {
    const gates = stringArray(problem, root.gates, "gates", true);
    if (gates.join(",") !== gateableBlocks.join(",")) {
      throw problem.error(`gates lists [${gates.join(", ")}] but the blocks' gate indices give [${gateableBlocks.join(", ")}].`);
    }
  }
  if (root.fullFlops !== undefined) {
    const declared = nonNegativeNumber(problem, root.fullFlops, "fullFlops");
    if (Math.abs(declared - fullFlops) > 0.5) {
      throw problem.error(`fullFlops is ${declared} but the non-approximator blocks add up to ${fullFlops} FLOPs.`);
    }
  }
}

async function readJson(manifestPath: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch (error) {
    throw new ModelError(
      manifestPath,
      `Model manifest ${manifestPath} could not be read (${describeError(error)}); pass the directory of an exported model (manifest.json and its ONNX files), or export one with models/training/train.py.`,
      { cause: error },
    );
  }

  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new ModelError(manifestPath, `Model manifest ${manifestPath} is not valid JSON (${describeError(error)}); export the model again.`, {
      cause: error,
    });
  }
  if (!isObject(root)) {
    throw new ModelError(manifestPath, `Model manifest ${manifestPath} must contain a JSON object; export the model again.`);
  }
  return root;
}

function readInput(problem: ManifestProblem, input: Json): InputSpec {
  const letterbox = objectField(problem, input, "letterbox", "input.letterbox");
  if (letterbox.align !== undefined && letterbox.align !== "center") {
    throw problem.error(`input.letterbox.align is ${JSON.stringify(letterbox.align)} but only "center" is supported.`);
  }
  return {
    width: positiveInteger(problem, input.width, "input.width"),
    height: positiveInteger(problem, input.height, "input.height"),
    padValue: readPadValue(problem, letterbox.padValue),
    mean: rgbTriple(problem, input.mean, "input.mean", false),
    std: rgbTriple(problem, input.std, "input.std", true),
  };
}

/** Accepts one grey level or three equal ones, because the letterbox pads with one grey. */
function readPadValue(problem: ManifestProblem, value: unknown): number {
  const values = Array.isArray(value) ? value : [value];
  const first: unknown = values[0];
  if (values.length === 0 || values.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255 || v !== first)) {
    throw problem.error(`input.letterbox.padValue is ${show(value)} but must be one integer in 0..255 (or three equal ones), a byte value.`);
  }
  return first as number;
}

function rgbTriple(problem: ManifestProblem, value: unknown, field: string, positive: boolean): [number, number, number] {
  const valid =
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((v) => typeof v === "number" && Number.isFinite(v) && (!positive || v > 0));
  if (!valid) {
    const expected = positive ? "three positive finite numbers" : "three finite numbers";
    throw problem.error(`${field} is ${show(value)} but must be ${expected} (R, G, B).`);
  }
  return [value[0], value[1], value[2]];
}

function readTokenizer(problem: ManifestProblem, tokenizer: Json): TokenizerSpec {
  const vocab = stringArray(problem, tokenizer.vocab, "tokenizer.vocab");
  const seen = new Map<string, number>();
  vocab.forEach((word, index) => {
    const previous = seen.get(word);
    if (previous !== undefined) {
      throw problem.error(`tokenizer.vocab repeats ${JSON.stringify(word)} at indices ${previous} and ${index}; ids must be unique.`);
    }
    seen.set(word, index);
  });

  const idIn = (field: string): number => {
    const id = tokenizer[field];
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= vocab.length) {
      throw problem.error(`tokenizer.${field} is ${show(id)} but must be an index into the vocabulary (0..${vocab.length - 1}).`);
    }
    return id as number;
  };
  const objectNouns = readObjectNouns(problem, tokenizer.objectNouns);
  return {
    maxTokens: positiveInteger(problem, tokenizer.maxTokens, "tokenizer.maxTokens"),
    padId: idIn("padId"),
    unkId: idIn("unkId"),
    vocab,
    objectNouns,
    objectSynonyms: readObjectSynonyms(problem, tokenizer.objectSynonyms, objectNouns),
    untrainedWords: readUntrainedWords(problem, tokenizer.untrainedWords, vocab),
  };
}

/** Reads the optional list of untrained words; each must be a vocabulary word. */
function readUntrainedWords(problem: ManifestProblem, value: unknown, vocab: readonly string[]): string[] {
  if (value === undefined) {
    return [];
  }
  const words = stringArray(problem, value, "tokenizer.untrainedWords", true);
  const known = new Set(vocab);
  const stray = words.find((word) => !known.has(word));
  if (stray !== undefined) {
    throw problem.error(`tokenizer.untrainedWords has ${JSON.stringify(stray)}, which is not in tokenizer.vocab; remove it or export the manifest again.`);
  }
  return words;
}

/** Reads the optional synonym groups; every entry must be one of the object nouns. */
function readObjectSynonyms(problem: ManifestProblem, value: unknown, objectNouns: readonly string[]): string[][] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw problem.error("tokenizer.objectSynonyms must be an array of arrays of object nouns, such as [[\"mug\", \"cup\"]].");
  }
  return value.map((group: unknown, index) => {
    const nouns = stringArray(problem, group, `tokenizer.objectSynonyms[${index}]`, true);
    const unknown = nouns.find((noun) => !objectNouns.includes(noun));
    if (unknown !== undefined) {
      throw problem.error(`tokenizer.objectSynonyms[${index}] has ${JSON.stringify(unknown)}, which is not in tokenizer.objectNouns; list it there too or remove it.`);
    }
    return nouns;
  });
}

/** Reads the optional nouns. Models exported before the field existed have none, so "one" stays unresolved. */
function readObjectNouns(problem: ManifestProblem, value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  const nouns = stringArray(problem, value, "tokenizer.objectNouns", true);
  for (const noun of nouns) {
    if (!/^[a-z0-9']+( [a-z0-9']+)*$/.test(noun)) {
      throw problem.error(
        `tokenizer.objectNouns has ${JSON.stringify(noun)}, but each entry must be lowercase words separated by single spaces, as the tokenizer writes them.`,
      );
    }
  }
  return nouns;
}

function readText(problem: ManifestProblem, dir: string, text: Json): TextSpec {
  const inputs = objectField(problem, text, "inputs", "text.inputs");
  const outputs = objectField(problem, text, "outputs", "text.outputs");
  return {
    file: path.resolve(dir, nonEmptyString(problem, text.file, "text.file")),
    tokensInput: nonEmptyString(problem, inputs.tokens, "text.inputs.tokens"),
    sentenceOutput: nonEmptyString(problem, outputs.sentence, "text.outputs.sentence"),
    gatesOutput: nonEmptyString(problem, outputs.gates, "text.outputs.gates"),
    flops: text.flops === undefined ? 0 : nonNegativeNumber(problem, text.flops, "text.flops"),
  };
}

function readBlocks(problem: ManifestProblem, dir: string, value: unknown): BlockSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw problem.error("blocks must be a non-empty array of block objects.");
  }
  return value.map((entry: unknown, index) => readBlock(problem, dir, entry, index));
}

function readBlock(problem: ManifestProblem, dir: string, entry: unknown, index: number): BlockSpec {
  const where = `blocks[${index}]`;
  if (!isObject(entry)) {
    throw problem.error(`${where} must be an object.`);
  }
  const name = nonEmptyString(problem, entry.name, `${where}.name`);
  const at = `${where} (${JSON.stringify(name)})`;

  const kind = entry.kind;
  if (typeof kind !== "string" || !(BLOCK_KINDS as readonly string[]).includes(kind)) {
    throw problem.error(`${at}.kind is ${JSON.stringify(kind)} but must be one of ${BLOCK_KINDS.join(", ")}.`);
  }

  const gate = entry.gate ?? null;
  if (gate !== null && (!Number.isInteger(gate) || (gate as number) < 0)) {
    throw problem.error(`${at}.gate is ${show(gate)} but must be a gate index (an integer from 0) or null.`);
  }

  return {
    name,
    file: path.resolve(dir, entry.file === undefined ? `${name}.onnx` : nonEmptyString(problem, entry.file, `${at}.file`)),
    kind: kind as BlockKind,
    inputs: stringArray(problem, entry.inputs, `${at}.inputs`),
    outputs: stringArray(problem, entry.outputs, `${at}.outputs`),
    flops: nonNegativeNumber(problem, entry.flops, `${at}.flops`),
    params: entry.params === undefined ? 0 : nonNegativeNumber(problem, entry.params, `${at}.params`),
    gate: gate as number | null,
    mandatory: entry.mandatory === undefined ? false : booleanField(problem, entry.mandatory, `${at}.mandatory`),
    skip: readSkip(problem, entry.skip, at),
    scale: entry.scale === undefined || entry.scale === null ? null : nonEmptyString(problem, entry.scale, `${at}.scale`),
  };
}

function readSkip(problem: ManifestProblem, skip: unknown, at: string): SkipRule {
  if (skip === undefined || skip === null) {
    return "none";
  }
  const type = isObject(skip) ? skip.type : undefined;
  if (type !== "identity" && type !== "softskip") {
    throw problem.error(`${at}.skip is ${JSON.stringify(skip)} but must be {"type": "identity"} or {"type": "softskip"}.`);
  }
  return type;
}

function readAnchors(problem: ManifestProblem, anchors: Json): Record<string, Array<[number, number]>> {
  const result: Record<string, Array<[number, number]>> = {};
  for (const [scale, list] of Object.entries(anchors)) {
    const valid =
      Array.isArray(list) &&
      list.length > 0 &&
      list.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((v) => typeof v === "number" && Number.isFinite(v) && v > 0));
    if (!valid) {
      throw problem.error(`anchors.${scale} must be a non-empty list of [width, height] pairs of positive numbers.`);
    }
    result[scale] = (list as Array<[number, number]>).map(([w, h]) => [w, h]);
  }
  return result;
}

function readStaticBlocks(problem: ManifestProblem, value: unknown, gateable: string[]): string[] | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (!isObject(value)) {
    throw problem.error(`static must be an object with a "blocks" list.`);
  }
  const blocks = stringArray(problem, value.blocks, "static.blocks", true);
  for (const name of blocks) {
    if (!gateable.includes(name)) {
      throw problem.error(`static.blocks names ${JSON.stringify(name)}, which is not a gateable block (gateable: ${gateable.join(", ")}).`);
    }
  }
  return blocks;
}

function optionalPath(problem: ManifestProblem, dir: string, value: unknown, field: string): string | null {
  if (value === undefined || value === null) {
    return null;
  }
  return path.resolve(dir, nonEmptyString(problem, value, field));
}

async function requireFiles(problem: ManifestProblem, files: Array<[string, string]>): Promise<void> {
  for (const [field, file] of files) {
    try {
      await access(file);
    } catch {
      throw problem.error(`${field} names ${file}, which does not exist; copy the complete model directory.`);
    }
  }
}
