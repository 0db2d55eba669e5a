/**
 * Scores policies on a RefCOCO-style dataset split (the format `softskip synth dataset`
 * writes) in one pass over all policies. It reports the two accuracies of the model card,
 * mean compute ratio and latency percentiles. Accuracy counts present referents whose best
 * box has IoU >= 0.5 with the ground truth, whatever its score. Decision accuracy counts
 * every ref: an absent referent is correct when the result is "not found", a present one
 * when the box hits and the score reaches the threshold.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { ArgumentError, describeError, InputError } from "../errors";
import type { Logger } from "../log";
import { RateLimitedLog, silentLogger } from "../log";
import { intersectionOverUnion, nearestRankPercentile } from "../metrics";
import { parseTranscript } from "./transcript";
import type { Box, CommandEncoding, GroundingEngine, GroundingOutput, GroundOptions, PolicyName } from "./types";

/** One referring expression with its ground truth. */
export interface EvalItem {
  refId: number;
  sentId: number;
  imagePath: string;
  /** Spoken command with speech-recognition noise. */
  raw: string;
  /** Clean referring expression. */
  sent: string;
  /** Ground-truth box in image pixels, or null when the referent is absent. */
  box: Box | null;
}

export interface EvalDataset {
  dir: string;
  split: string;
  items: EvalItem[];
}

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface PolicyReport {
  /** Share of present referents whose best box has IoU >= 0.5, whatever its score, in 0..1. */
  accuracy: number;
  /** Present referents whose best box has IoU >= 0.5. */
  located: number;
  /** Refs whose referent is in the image. */
  present: number;
  /** Share of all refs with a correct decision (see the module comment), in 0..1. */
  decisionAccuracy: number;
  /** Refs with a correct decision. */
  correct: number;
  /** Mean executed FLOPs / full FLOPs over grounded inferences. */
  computeRatio: number;
  /** Latency of engine.ground per image, in ms (the text encoder runs once per expression and is reported apart). */
  latencyMs: LatencySummary;
  /** Mean ms per stage of engine.ground; they add up to latencyMs.mean. */
  stageMeansMs: StageTimes;
  /** "Not found" results judged against absent referents; null when there are no such results or no absent referents. */
  notFound: { precision: number | null; recall: number | null };
}

/** Time of one engine.ground call per stage, in ms (see GroundingOutput.latencyMs). */
export interface StageTimes {
  decode: number;
  preprocess: number;
  /** All model blocks together. */
  blocks: number;
  postprocess: number;
  dispatch: number;
}

export interface EvalReport {
  dataset: string;
  split: string;
  /** Refs scored: the split's refs (up to the limit) less the skipped ones. */
  count: number;
  /** Refs left out of every figure: their image could not be read or decoded, or the engine refused their expression. */
  skipped: number;
  /** Sentence field that was grounded: "raw" (through parseTranscript) or "sent". */
  text: "raw" | "sent";
  /** Items whose transcript held no referring expression. They count as "not found" results. */
  rejectedTranscripts: number;
  /** Text encoder time per expression, in ms. */
  textMs: LatencySummary;
  budgetMs?: number;
  policies: Record<string, PolicyReport>;
}

export interface EvalOptions {
  policies: PolicyName[];
  /** Model-time budget for the budget policy, in ms. */
  budgetMs: number;
  text: "raw" | "sent";
  logger?: Logger;
  /** Called after each item, with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

interface Outcome {
  /** Decision correct: see the module comment. */
  correct: boolean;
  /** The best box has IoU >= 0.5 with a present referent, whatever its score. */
  located: boolean;
  answeredNotFound: boolean;
  absent: boolean;
  computeRatio?: number;
  latencyMs?: number;
  stages?: StageTimes;
}

/**
 * Reads `dir/refs.json` and `dir/instances.json` and lists the items of one split, in file
 * order: only the refs in `refIds` when given, and at most the first `limit`.
 */
export async function readEvalDataset(dir: string, split: string, limit?: number, refIds?: ReadonlySet<number>): Promise<EvalDataset> {
  const refs = await readJsonFile(path.join(dir, "refs.json"));
  const instances = await readJsonFile(path.join(dir, "instances.json"));
  if (!Array.isArray(refs) || typeof instances !== "object" || instances === null) {
    throw new ArgumentError(`--data ${dir} does not hold a RefCOCO-style dataset: refs.json must be a list and instances.json an object.`);
  }

  const { images, annotations } = instances as { images?: Array<{ id: number; file_name: string }>; annotations?: Array<{ id: number; bbox: number[] }> };
  const imageFiles = new Map((images ?? []).map((image) => [image.id, image.file_name]));
  const boxes = new Map((annotations ?? []).map((annotation) => [annotation.id, annotation.bbox]));

  const items: EvalItem[] = [];
  const splits = new Set<string>();
  for (const ref of refs as Array<Record<string, unknown>>) {
    splits.add(String(ref.split));
    if (ref.split !== split || (refIds !== undefined && !refIds.has(ref.ref_id as number))) {
      continue;
    }
    const file = imageFiles.get(ref.image_id as number);
    const bbox = ref.absent === true ? null : boxes.get(ref.ann_id as number);
    if (file === undefined || bbox === undefined) {
      throw new ArgumentError(`--data ${dir}: ref ${String(ref.ref_id)} names image ${String(ref.image_id)} or annotation ${String(ref.ann_id)}, which instances.json lacks.`);
    }
    for (const sentence of (ref.sentences as Array<{ sent_id: number; sent: string; raw?: string }>) ?? []) {
      items.push({
        refId: ref.ref_id as number,
        sentId: sentence.sent_id,
        imagePath: path.join(dir, "images", file),
        raw: sentence.raw ?? sentence.sent,
        sent: sentence.sent,
        box: bbox === null ? null : { x: bbox[0], y: bbox[1], width: bbox[2], height: bbox[3] },
      });
    }
  }

  // With `refIds` and the split present, an empty list is returned so that the caller can
  // say which refs are missing.
  if (items.length === 0 && (refIds === undefined || !splits.has(split))) {
    throw new ArgumentError(`--split ${split} has no refs in ${dir}; splits present: ${[...splits].sort().join(", ") || "none"}.`);
  }
  return { dir, split, items: limit === undefined ? items : items.slice(0, limit) };
}

/** Grounds every item with every policy and summarises the results. */
export async function evaluatePolicies(engine: GroundingEngine, dataset: EvalDataset, options: EvalOptions): Promise<EvalReport> {
  const logger = options.logger ?? silentLogger;
  // A folder of missing images would otherwise print one warning per ref.
  const skipLog = new RateLimitedLog(logger);
  const outcomes = new Map<PolicyName, Outcome[]>(options.policies.map((policy) => [policy, []]));
  const textMs: number[] = [];
  let rejectedTranscripts = 0;
  let skipped = 0;

  for (const [index, item] of dataset.items.entries()) {
    const expression = expressionOf(item, options.text);
    if (expression === undefined) {
      rejectedTranscripts += 1;
      for (const list of outcomes.values()) {
        list.push({ correct: item.box === null, located: false, answeredNotFound: true, absent: item.box === null });
      }
      options.onProgress?.(index + 1, dataset.items.length);
      continue;
    }

    const textStart = performance.now();
    let command: CommandEncoding;
    try {
      command = await engine.encode(expression);
    } catch (error) {
      // An expression the engine refuses (too long, no words) is one bad ref, not a bad run.
      if (!(error instanceof InputError)) {
        throw error;
      }
      skipLog.warn("skipped ref", `Skipping ref ${item.refId}: ${describeError(error)}`);
      skipped += 1;
      options.onProgress?.(index + 1, dataset.items.length);
      continue;
    }
    textMs.push(performance.now() - textStart);
    try {
      // Outcomes of this ref, kept only when every policy could read its image.
      const itemOutcomes: Array<[PolicyName, Outcome]> = [];
      for (const policy of options.policies) {
        const groundOptions: GroundOptions = { policy, budgetMs: options.budgetMs };
        let output: GroundingOutput;
        try {
          output = await engine.ground({ kind: "file", path: item.imagePath }, command, groundOptions);
        } catch (error) {
          if (!(error instanceof InputError)) {
            throw error;
          }
          skipLog.warn("skipped ref", `Skipping ref ${item.refId}: ${describeError(error)}`);
          break;
        }
        const answeredNotFound = output.status === "not_found";
        const located = item.box !== null && output.box !== null && intersectionOverUnion(output.box, item.box) >= 0.5;
        itemOutcomes.push([
          policy,
          {
            correct: item.box === null ? answeredNotFound : located && !answeredNotFound,
            located,
            answeredNotFound,
            absent: item.box === null,
            computeRatio: output.computeRatio,
            latencyMs: output.latencyMs.total,
            stages: stageTimes(output.latencyMs),
          },
        ]);
      }
      if (itemOutcomes.length < options.policies.length) {
        skipped += 1;
      } else {
        for (const [policy, outcome] of itemOutcomes) {
          outcomes.get(policy)?.push(outcome);
        }
      }
    } finally {
      engine.release(command);
    }
    options.onProgress?.(index + 1, dataset.items.length);
  }

  if (skipped > 0) {
    // The per-ref warnings are rate-limited, so this is the only complete count.
    logger.warn(`Skipped ${skipped} of ${dataset.items.length} refs in all, because their image or expression could not be used; the warnings above name the first of them.`);
  }
  const policies: Record<string, PolicyReport> = {};
  for (const [policy, list] of outcomes) {
    policies[policy] = summarise(list);
  }
  return {
    dataset: dataset.dir,
    split: dataset.split,
    count: dataset.items.length - skipped,
    skipped,
    text: options.text,
    rejectedTranscripts,
    textMs: latencySummary(textMs),
    ...(options.policies.includes("budget") ? { budgetMs: options.budgetMs } : {}),
    policies,
  };
}

function expressionOf(item: EvalItem, text: "raw" | "sent"): string | undefined {
  if (text === "sent") {
    return item.sent.trim() === "" ? undefined : item.sent;
  }
  const parsed = parseTranscript(item.raw.slice(0, 500), `ref ${item.refId}`);
  return parsed.kind === "command" ? parsed.expression : undefined;
}

function stageTimes(latency: Record<string, number> & { total: number }): StageTimes {
  const { decode = 0, preprocess = 0, text = 0, postprocess = 0, dispatch = 0, total } = latency;
  return { decode, preprocess, blocks: total - decode - preprocess - text - postprocess - dispatch, postprocess, dispatch };
}

function summarise(list: Outcome[]): PolicyReport {
  const correct = list.filter((outcome) => outcome.correct).length;
  const present = list.filter((outcome) => !outcome.absent).length;
  const located = list.filter((outcome) => outcome.located).length;
  const ratios = list.flatMap((outcome) => (outcome.computeRatio === undefined ? [] : [outcome.computeRatio]));
  const latencies = list.flatMap((outcome) => (outcome.latencyMs === undefined ? [] : [outcome.latencyMs]));
  const answered = list.filter((outcome) => outcome.answeredNotFound);
  const absent = list.filter((outcome) => outcome.absent);
  const truePositives = answered.filter((outcome) => outcome.absent).length;
  return {
    accuracy: present === 0 ? 0 : located / present,
    located,
    present,
    decisionAccuracy: list.length === 0 ? 0 : correct / list.length,
    correct,
    computeRatio: mean(ratios),
    latencyMs: latencySummary(latencies),
    stageMeansMs: meanStages(list.flatMap((outcome) => (outcome.stages === undefined ? [] : [outcome.stages]))),
    notFound: {
      precision: answered.length === 0 ? null : truePositives / answered.length,
      recall: absent.length === 0 ? null : truePositives / absent.length,
    },
  };
}

function meanStages(stages: StageTimes[]): StageTimes {
  const of = (key: keyof StageTimes): number => mean(stages.map((stage) => stage[key]));
  return { decode: of("decode"), preprocess: of("preprocess"), blocks: of("blocks"), postprocess: of("postprocess"), dispatch: of("dispatch") };
}

export function latencySummary(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return { mean: mean(sorted), p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
}

/** Nearest-rank percentile of sorted values; 0 for an empty list. */
export function percentile(sorted: number[], p: number): number {
  return nearestRankPercentile(sorted, p) ?? 0;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ArgumentError(`--data: ${file} could not be read (${describeError(error)}); generate a dataset with softskip synth dataset --out DIR.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ArgumentError(`--data: ${file} is not valid JSON (${describeError(error)}).`);
  }
}
