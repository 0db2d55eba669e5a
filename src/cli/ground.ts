/**
 * `softskip ground --image FILE --text TEXT [--policy P] [--model DIR] [--budget-ms N]
 * [--threads N] [--out annotated.png] [--json]`: grounds one spoken command on one image.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";

import { ArgumentError, InputError } from "../errors";
import { decodeImage, drawBox, GROUNDED_COLOR, NOT_FOUND_COLOR } from "../image";
import { createConsoleLogger } from "../log";
import { defaultParameters } from "../params/declarations";
import { BUNDLED_MODEL_DIR, loadGroundingEngine } from "../runtime/engine";
import { encodeGroundable, expressionToGround } from "../runtime/spoken-expression";
import { noExpressionReason, parseTranscript } from "../runtime/transcript";
import type { GroundingOutput, ImageInput } from "../runtime/types";
import { checkOutputFile, checkOutputsApart, parseCliArgs, parseParameterOption, parsePolicy } from "./runtime-options";

const USAGE = `Usage: softskip ground --image FILE --text TEXT [options]

Grounds a spoken command ("grab the red cup left of the bowl") on an image file: JPEG or
PNG, or another 8-bit format that sharp reads (WebP, TIFF, GIF).

Options:
  --image FILE       image to search
  --text TEXT        spoken command or referring expression
  --policy P         full, lgmdp, softskip, budget or static (default: ${defaultParameters().policy})
  --budget-ms N      time budget of one inference under the budget policy, in ms (default: ${defaultParameters().latency_budget_ms})
  --model DIR        model directory with manifest.json (default: the bundled model)
  --threads N        ONNX Runtime threads per block session (default: ${defaultParameters().num_threads})
  --out FILE         write the image with the box drawn, as PNG
  --json             print one JSON object on stdout
  -h, --help         show this help`;

const OPTIONS = {
  image: { type: "string" },
  text: { type: "string" },
  policy: { type: "string" },
  "budget-ms": { type: "string" },
  model: { type: "string" },
  threads: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCliArgs(() => parseArgs({ args, strict: true, options: OPTIONS }), "softskip ground", Object.keys(OPTIONS));
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }

  if (values.image === undefined || values.image === "") {
    throw new ArgumentError("Missing --image FILE: pass the image to search, for example --image scene.jpg.");
  }
  if (values.text === undefined) {
    throw new ArgumentError('Missing --text TEXT: pass the spoken command, for example --text "grab the red cup".');
  }
  const logger = createConsoleLogger("softskip ground", "warn");
  const defaults = defaultParameters();
  const policy = parsePolicy(values.policy ?? defaults.policy, "--policy");
  const budgetMs = values["budget-ms"] === undefined ? defaults.latency_budget_ms : parseParameterOption(values["budget-ms"], "--budget-ms", "latency_budget_ms");
  const numThreads = values.threads === undefined ? defaults.num_threads : parseParameterOption(values.threads, "--threads", "num_threads");
  if (values["budget-ms"] !== undefined && policy !== "budget") {
    logger.warn(`--budget-ms applies to the budget policy only; --policy ${policy} ignores it.`);
  }
  if (values.out !== undefined) {
    checkOutputFile(values.out, "--out");
    checkOutputsApart([{ name: "input image", path: values.image }], [{ name: "--out", path: values.out }]);
    if (!/\.png$/i.test(values.out)) {
      logger.warn(`--out ${values.out} will contain PNG data whatever its extension; name it .png.`);
    }
  }

  const image: ImageInput = { kind: "file", path: values.image };
  let parsed: ReturnType<typeof parseTranscript>;
  try {
    parsed = parseTranscript(values.text, "--text");
  } catch (error) {
    // A text over the length limit is an unusable input like any other, not a failure.
    if (error instanceof InputError) {
      return reject(values.json, values.text, error.message);
    }
    throw error;
  }
  if (parsed.kind !== "command") {
    return reject(values.json, values.text, `--text ${JSON.stringify(values.text)} ${noExpressionReason(values.text, parsed)}; pass words that name the object, such as "the red cup".`);
  }

  const engine = await loadGroundingEngine(values.model ?? BUNDLED_MODEL_DIR, { numThreads, logger });
  try {
    const textStart = performance.now();
    const { expression, problem } = expressionToGround(parsed, engine.objectNouns, engine.objectSynonyms);
    if (problem !== null) {
      return reject(values.json, values.text, `--text ${JSON.stringify(values.text)} ${problem.explanation}; name the one object you want, such as "the blue ball".`);
    }
    const encoded = await encodeGroundable(engine, expression);
    const textMs = performance.now() - textStart;
    if (encoded.problem !== null) {
      return reject(
        values.json,
        values.text,
        `Expression ${JSON.stringify(expression)} ${encoded.problem.explanation}, so it cannot be grounded; name the object in English tabletop words, such as "the red cup left of the bowl".`,
      );
    }
    const command = encoded.command;
    if (command.unknownWords.length > 0) {
      logger.warn(`Words not in the model's vocabulary are ignored: ${command.unknownWords.join(", ")}.`);
    }

    let output: GroundingOutput;
    try {
      output = await engine.ground(image, command, { policy, budgetMs });
    } catch (error) {
      if (error instanceof InputError) {
        return reject(values.json, values.text, error.message);
      }
      throw error;
    }
    output.latencyMs.text = textMs;
    output.latencyMs.total += textMs;

    if (values.out !== undefined) {
      const decoded = await decodeImage(image, values.image);
      await mkdir(dirname(values.out), { recursive: true });
      // A box below the score threshold is still drawn, because it shows what the model
      // considered, but its label marks it as not found.
      const grounded = output.status === "grounded";
      const label = `${grounded ? "" : "not found: "}${expression} ${output.score.toFixed(2)}`;
      await writeFile(values.out, await drawBox(decoded, output.box, label, { color: grounded ? GROUNDED_COLOR : NOT_FOUND_COLOR }));
    }

    const result = {
      status: output.status,
      box: output.box,
      score: output.score,
      scoreThreshold: engine.manifest.thresholds.score,
      expression,
      transcript: values.text,
      policy: output.policy,
      executedBlocks: output.executedBlocks,
      computeRatio: output.computeRatio,
      latencyMs: output.latencyMs,
      ...(output.budgetMs === undefined ? {} : { budgetMs: output.budgetMs, predictedMs: output.predictedMs }),
      ...(output.stoppedAtDeadline === true ? { stoppedAtDeadline: true } : {}),
      unknownWords: command.unknownWords,
      image: { path: values.image, width: output.imageWidth, height: output.imageHeight },
      ...(values.out === undefined ? {} : { annotatedImage: values.out }),
      model: engine.modelName,
    };
    const written = values.out === undefined ? "" : `\nWrote ${values.out} with the box drawn.`;
    process.stdout.write((values.json ? JSON.stringify(result) : describeResult(result) + written) + "\n");
    return 0;
  } finally {
    await engine.close();
  }
}

function reject(json: boolean, transcript: string, message: string): number {
  if (json) {
    process.stdout.write(JSON.stringify({ status: "rejected", transcript, error: message }) + "\n");
  }
  process.stderr.write(`softskip: ${message}\n`);
  return 1;
}

interface ResultSummary {
  status: string;
  box: GroundingOutput["box"];
  score: number;
  scoreThreshold: number;
  expression: string;
  policy: string;
  executedBlocks: string[];
  computeRatio: number;
  latencyMs: Record<string, number>;
  budgetMs?: number;
}

function describeResult(result: ResultSummary): string {
  const where =
    result.box === null
      ? "no box"
      : `${result.status === "grounded" ? "box" : "best box"} x=${result.box.x.toFixed(1)} y=${result.box.y.toFixed(1)} width=${result.box.width.toFixed(1)} height=${result.box.height.toFixed(1)}`;
  const below = result.status === "grounded" || result.box === null || result.score >= result.scoreThreshold ? "" : ` is below the model's score threshold ${result.scoreThreshold.toFixed(3)}`;
  return [
    `${result.status === "grounded" ? "Grounded" : "Not found"}: ${JSON.stringify(result.expression)}, ${where}, score ${result.score.toFixed(3)}${below}`,
    `Policy ${result.policy}: ${result.executedBlocks.length} blocks, ${(result.computeRatio * 100).toFixed(1)}% of the full model's FLOPs, ${result.latencyMs.total.toFixed(1)} ms in total${overBudget(result)}`,
  ].join("\n");
}

/** Notes a budget the call exceeded. The budget policy always runs at least one head. */
function overBudget(result: ResultSummary): string {
  const total = result.latencyMs.total ?? 0;
  return result.budgetMs === undefined || total <= result.budgetMs ? "" : `, over the ${result.budgetMs} ms budget`;
}
