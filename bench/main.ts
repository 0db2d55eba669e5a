/**
 * `npm run bench`: runs each benchmark case and records it in docs/benchmarks.md (one
 * section per case) and out/bench.json (one key per case). Add a case by appending to
 * CASES. `npm run bench -- --help` lists the options.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

import { parseCliArgs, parsePositiveInteger } from "../src/cli/runtime-options";
import { ArgumentError, SoftSkipError } from "../src/errors";
import { createConsoleLogger, type Logger } from "../src/log";
import { BUNDLED_MODEL_DIR } from "../src/runtime/engine";
import { formatContentionMarkdown, runContentionCase } from "./contention-case";
import { formatReplyWaitMarkdown, runReplyWaitBenchmark } from "./reply-wait";
import { describeMachine, writeJsonKey, writeMarkdownSection } from "./report";
import { formatRuntimeMarkdown, runRuntimeBenchmark } from "./runtime";

/** Package root: this file runs as dist/bench/main.js. */
const ROOT = path.resolve(__dirname, "../..");
const TINY_MODEL_DIR = path.join(ROOT, "test/runtime/fixtures/tiny-model");
const BENCH_DATA_DIR = path.join(ROOT, "out/bench-data");

const USAGE = `Usage: npm run bench -- [options]

Runs the benchmark cases and records them in docs/benchmarks.md and out/bench.json.

Options:
  --model DIR              model directory (default: the bundled model, else the test fixture)
  --data DIR               dataset (default: out/bench-data, generated when missing)
  --split S                dataset split to score (default: test)
  --limit N                expressions to score (default: 150)
  --frame-runs N           runs per policy on the 640x480 frame (default: 30); the
                           Reply wait case runs ten times as many per engine
  --threads N              ONNX Runtime threads per block session (default: 1)
  --session-commands N     spoken commands in the contention session, six frames each (default: 20)
  --only NAME              run one case: Runtime, Contention or "Reply wait"
  -h, --help               show this help`;

interface BenchContext {
  modelDir: string;
  /** Description of the model that ran, for the record. */
  modelNote: string;
  dataDir: string;
  split: string;
  limit: number;
  frameRuns: number;
  numThreads: number;
  /** Spoken commands in the contention session. */
  sessionCommands: number;
  command: string;
  logger: Logger;
}

interface BenchCase {
  name: string;
  /** Whether the case reads the dataset, which is generated when missing. */
  usesData: boolean;
  /** Returns the Markdown section body and the JSON record. */
  run(context: BenchContext): Promise<{ markdown: string; json: unknown }>;
}

const CASES: BenchCase[] = [
  {
    name: "Runtime",
    usesData: true,
    async run(context) {
      const result = await runRuntimeBenchmark({ ...context });
      return { markdown: formatRuntimeMarkdown(result, context.command, describeMachine(), context.modelNote), json: result };
    },
  },
  {
    name: "Contention",
    usesData: true,
    async run(context) {
      const result = await runContentionCase({ ...context, commands: context.sessionCommands });
      return { markdown: formatContentionMarkdown(result, context.command, describeMachine(), context.modelNote), json: result };
    },
  },
  {
    name: "Reply wait",
    usesData: false,
    async run(context) {
      // Ten times the frame runs: the difference measured is a few percent of a frame.
      const result = await runReplyWaitBenchmark({ ...context, frameRuns: context.frameRuns * 10 });
      return { markdown: formatReplyWaitMarkdown(result, context.command, describeMachine(), context.modelNote), json: result };
    },
  },
];

async function main(): Promise<void> {
  const { values } = parseCliArgs(
    () =>
      parseArgs({
        args: process.argv.slice(2),
        strict: true,
        options: {
          model: { type: "string" },
          data: { type: "string" },
          split: { type: "string", default: "test" },
          limit: { type: "string", default: "150" },
          "frame-runs": { type: "string", default: "30" },
          threads: { type: "string", default: "1" },
          "session-commands": { type: "string", default: "20" },
          only: { type: "string" },
          help: { type: "boolean", short: "h", default: false },
        },
      }),
    "npm run bench --",
  );
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const logger = createConsoleLogger("bench", "info");
  if (values.only !== undefined && !CASES.some((benchCase) => benchCase.name === values.only)) {
    throw new ArgumentError(`--only ${JSON.stringify(values.only)} is not a benchmark case; use one of ${CASES.map((benchCase) => benchCase.name).join(", ")}.`);
  }

  const bundled = existsSync(path.join(BUNDLED_MODEL_DIR, "manifest.json"));
  const modelDir = values.model ?? (bundled ? BUNDLED_MODEL_DIR : TINY_MODEL_DIR);
  let modelNote = "the bundled model";
  if (values.model !== undefined) {
    modelNote = `from ${values.model}`;
  } else if (!bundled) {
    modelNote = "the random-weight test fixture, because no bundled model was found, so accuracy is meaningless";
  }
  if (await isQuickExport(modelDir)) {
    modelNote += ", a train.py --quick export trained for a few steps, so accuracy is not representative";
  }
  const limit = parsePositiveInteger(values.limit, "--limit");
  const frameRuns = parsePositiveInteger(values["frame-runs"], "--frame-runs");
  const numThreads = parsePositiveInteger(values.threads, "--threads");
  const sessionCommands = parsePositiveInteger(values["session-commands"], "--session-commands");
  const selected = CASES.filter((benchCase) => values.only === undefined || values.only === benchCase.name);
  // The Reply wait case grounds a synthetic frame, so it alone needs no dataset.
  const dataDir = values.data ?? (selected.some((benchCase) => benchCase.usesData) ? await ensureBenchData(logger) : "");

  const context: BenchContext = {
    modelDir,
    modelNote,
    dataDir,
    split: values.split,
    limit,
    frameRuns,
    numThreads,
    sessionCommands,
    // Arguments with spaces are quoted, so that the recorded command can be pasted into a shell.
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2).map(shellQuoted)] : [])].join(" "),
    logger,
  };

  for (const benchCase of selected) {
    logger.info(`Running benchmark case ${benchCase.name}.`);
    const { markdown, json } = await benchCase.run(context);
    await writeMarkdownSection(path.join(ROOT, "docs/benchmarks.md"), benchCase.name, markdown);
    await writeJsonKey(path.join(ROOT, "out/bench.json"), benchCase.name.toLowerCase().replaceAll(" ", "_"), json);
    logger.info(`Wrote section ${benchCase.name} of docs/benchmarks.md and out/bench.json.`);
  }
}

/** Returns the argument as one shell word: single-quoted when it contains anything but plain characters. */
function shellQuoted(arg: string): string {
  return /^[\w./=:,-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Returns whether the manifest marks the model as a train.py --quick export ("training": {"quick": true}). */
async function isQuickExport(modelDir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(path.join(modelDir, "manifest.json"), "utf8")) as { training?: { quick?: unknown } };
    return manifest.training?.quick === true;
  } catch {
    // The engine reports a missing or broken manifest when it loads.
    return false;
  }
}

/** Generates a small dataset with the scene generator unless one is already there. */
async function ensureBenchData(logger: Logger): Promise<string> {
  if (existsSync(path.join(BENCH_DATA_DIR, "refs.json"))) {
    return BENCH_DATA_DIR;
  }
  logger.info(`Generating a benchmark dataset in ${BENCH_DATA_DIR}.`);
  const args = ["synth", "dataset", "--out", BENCH_DATA_DIR, "--scenes", "500", "--width", "256", "--height", "192", "--seed", "4242"];
  execFileSync(process.execPath, [path.join(ROOT, "dist/src/cli/main.js"), ...args], { stdio: ["ignore", "ignore", "inherit"] });
  return BENCH_DATA_DIR;
}

main().catch((error: unknown) => {
  // Bad options print one sentence; anything else is a bug and keeps its stack.
  if (error instanceof SoftSkipError) {
    process.stderr.write(`bench: ${error.message}\n`);
  } else {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
});
