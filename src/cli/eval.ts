/**
 * `softskip eval --data DIR [--split S] [--policies P,...] [--budget-ms N] [--limit N | --card-sample]
 * [--text raw|sent] [--model DIR] [--threads N] [--json]`: scores policies on a dataset split.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

import { ArgumentError, describeError } from "../errors";
import { createConsoleLogger } from "../log";
import { defaultParameters, POLICY_NAMES } from "../params/declarations";
import { BUNDLED_MODEL_DIR, loadGroundingEngine } from "../runtime/engine";
import type { EvalReport } from "../runtime/evaluation";
import { evaluatePolicies, readEvalDataset } from "../runtime/evaluation";
import { parseCliArgs, parseParameterOption, parsePolicies, parsePositiveInteger } from "./runtime-options";

/** The command that generates the bundled model's training dataset, as the model card gives it. */
const BUNDLED_DATASET_COMMAND = "softskip synth dataset --out data/tabletop --scenes 20000 --width 256 --height 192 --seed 1";

const USAGE = `Usage: softskip eval --data DIR [options]

Grounds every expression of a dataset split with each policy and reports, as the model
card does, accuracy (present referents whose best box has IoU >= 0.5, whatever its score)
and decision accuracy (all refs: absent referents need "not found", present ones a hit
that reaches the score threshold), mean compute ratio and latency percentiles. Refs whose
image cannot be read, or whose expression the model refuses (too long, no words), are
skipped, counted and left out of every figure.

Options:
  --data DIR         dataset written by softskip synth dataset (refs.json, instances.json, images/)
  --split S          split to score (default: test)
  --policies LIST    comma-separated policies (default: ${POLICY_NAMES.join(",")})
  --budget-ms N      time budget of one inference under the budget policy, in ms (default: ${defaultParameters().latency_budget_ms})
  --limit N          score only the first N expressions of the split
  --card-sample      score the refs the model card scored (eval_refs in the model's metrics.json),
                     with the clean expressions unless --text says otherwise, and print the card's
                     accuracy beside each policy's
  --text raw|sent    ground the spoken command through transcript parsing (raw, default) or the clean expression (sent)
  --model DIR        model directory with manifest.json (default: the bundled model)
  --threads N        ONNX Runtime threads per block session (default: ${defaultParameters().num_threads})
  --json             print one JSON object on stdout
  -h, --help         show this help`;

const OPTIONS = {
  data: { type: "string" },
  split: { type: "string", default: "test" },
  policies: { type: "string", default: POLICY_NAMES.join(",") },
  "budget-ms": { type: "string" },
  limit: { type: "string" },
  "card-sample": { type: "boolean", default: false },
  text: { type: "string" },
  model: { type: "string" },
  threads: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCliArgs(() => parseArgs({ args, strict: true, options: OPTIONS }), "softskip eval", Object.keys(OPTIONS));
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }

  if (values.data === undefined || values.data === "") {
    throw new ArgumentError("Missing --data DIR: pass a dataset directory written by softskip synth dataset.");
  }
  const cardSample = values["card-sample"];
  const text = values.text ?? (cardSample ? "sent" : "raw");
  if (text !== "raw" && text !== "sent") {
    throw new ArgumentError(`--text ${JSON.stringify(text)} is invalid; use raw (spoken command) or sent (clean expression).`);
  }
  if (cardSample && values.limit !== undefined) {
    throw new ArgumentError("--card-sample and --limit both choose the refs; pass one of them.");
  }
  const defaults = defaultParameters();
  const policies = parsePolicies(values.policies, "--policies");
  const budgetMs = values["budget-ms"] === undefined ? defaults.latency_budget_ms : parseParameterOption(values["budget-ms"], "--budget-ms", "latency_budget_ms");
  const limit = values.limit === undefined ? undefined : parsePositiveInteger(values.limit, "--limit");
  const numThreads = values.threads === undefined ? defaults.num_threads : parseParameterOption(values.threads, "--threads", "num_threads");

  const logger = createConsoleLogger("softskip eval", "info");
  const modelDir = values.model ?? BUNDLED_MODEL_DIR;
  const card = cardSample ? await readCardSample(modelDir, values.split) : undefined;
  const dataset = await readEvalDataset(values.data, values.split, limit, card?.refIds);
  if (card !== undefined && dataset.items.length !== card.refIds.size) {
    throw new ArgumentError(
      `--data ${values.data} has ${dataset.items.length} of the ${card.refIds.size} refs the model card scored on split ${values.split}; ` +
        `pass the dataset the model was trained on${modelDir === BUNDLED_MODEL_DIR ? ` (for the bundled model: ${BUNDLED_DATASET_COMMAND})` : ""}.`,
    );
  }
  const engine = await loadGroundingEngine(modelDir, { numThreads, logger });
  try {
    // Progress lines go to stderr about every tenth of the split; stdout carries only the report.
    const step = Math.max(1, Math.ceil(dataset.items.length / 10));
    const onProgress = (done: number, total: number): void => {
      if (done % step === 0 || done === total) {
        logger.info(`${done}/${total} refs done.`);
      }
    };
    const report = await evaluatePolicies(engine, dataset, { policies, budgetMs, text, logger, onProgress });
    if (report.count === 0) {
      // A table of zeros would read as a model that is always wrong.
      const message = `No ref of split ${report.split} was scored: all ${report.skipped} were skipped because their image or expression could not be used (see the warnings above).`;
      if (values.json) {
        process.stdout.write(JSON.stringify({ status: "error", error: message }) + "\n");
      }
      logger.error(message);
      return 1;
    }
    const cardAccuracy = card === undefined ? undefined : cardFigures(card.accuracy, policies);
    process.stdout.write(
      (values.json ? JSON.stringify({ ...report, model: engine.modelName, ...(cardAccuracy === undefined ? {} : { cardAccuracy }) }) : formatReport(report, cardAccuracy)) + "\n",
    );
    return 0;
  } finally {
    await engine.close();
  }
}

/** Reads the refs of one split that the model card scored, and the accuracy it gives per policy. */
async function readCardSample(modelDir: string, split: string): Promise<{ refIds: ReadonlySet<number>; accuracy: Partial<Record<string, number>> }> {
  const file = path.join(modelDir, "metrics.json");
  let metrics: { eval_refs?: Record<string, unknown>; splits?: Record<string, Record<string, { accuracy?: unknown }>> };
  try {
    metrics = JSON.parse(await readFile(file, "utf8")) as typeof metrics;
  } catch (error) {
    throw new ArgumentError(`--card-sample needs ${file}, written by models/training/train.py: ${describeError(error)}.`);
  }
  const ids = metrics.eval_refs?.[split];
  if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) {
    throw new ArgumentError(
      `${file} lists no scored refs for split ${split} (eval_refs); run /usr/bin/python3 models/training/backfill_manifest.py --model ${modelDir} --data DIR to add them.`,
    );
  }
  const accuracy: Partial<Record<string, number>> = {};
  for (const [policy, figures] of Object.entries(metrics.splits?.[split] ?? {})) {
    if (typeof figures.accuracy === "number") {
      accuracy[policy] = figures.accuracy;
    }
  }
  return { refIds: new Set(ids as number[]), accuracy };
}

/** Picks the card's accuracy of each scored policy that the card reports. */
function cardFigures(accuracy: Partial<Record<string, number>>, policies: readonly string[]): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const policy of policies) {
    const value = accuracy[policy];
    if (value !== undefined) {
      figures[policy] = value;
    }
  }
  return figures;
}

function formatReport(report: EvalReport, cardAccuracy?: Record<string, number>): string {
  const skipped = report.skipped === 0 ? "" : `; ${report.skipped} skipped because their image or expression could not be used`;
  // Only spoken transcripts are parsed, so only they can lack an expression.
  const rejected = report.text === "sent" ? "" : `, ${report.rejectedTranscripts} transcripts without an expression`;
  const header = `${report.count} expressions of split ${report.split} in ${report.dataset} (text: ${report.text}${rejected}${skipped})`;
  const columns = ["policy", "accuracy", ...(cardAccuracy === undefined ? [] : ["card"]), "decision", "compute", "mean ms", "p50 ms", "p90 ms", "p99 ms", "not-found P", "not-found R"];
  const rate = (value: number | null | undefined): string => (value === null || value === undefined ? "n/a" : `${(value * 100).toFixed(1)}%`);
  const rows = Object.entries(report.policies).map(([policy, result]) => [
    policy,
    `${(result.accuracy * 100).toFixed(1)}%`,
    ...(cardAccuracy === undefined ? [] : [rate(cardAccuracy[policy])]),
    `${(result.decisionAccuracy * 100).toFixed(1)}%`,
    `${(result.computeRatio * 100).toFixed(1)}%`,
    result.latencyMs.mean.toFixed(1),
    result.latencyMs.p50.toFixed(1),
    result.latencyMs.p90.toFixed(1),
    result.latencyMs.p99.toFixed(1),
    rate(result.notFound.precision),
    rate(result.notFound.recall),
  ]);
  const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => row[index].length)));
  const line = (cells: string[]): string => cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join("  ");
  const legend =
    "accuracy: present referents whose best box has IoU >= 0.5, whatever its score. decision: all refs, where an absent referent needs " +
    '"not found" and a present one a hit that reaches the score threshold.';
  const budget = report.budgetMs === undefined ? "" : `\nThe budget policy planned each inference for ${report.budgetMs} ms.`;
  return [header, "", line(columns), ...rows.map(line), "", legend + budget].join("\n");
}
