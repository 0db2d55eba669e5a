/**
 * `softskip replay BAG`: grounds the bag's (or the given) commands on its camera frames
 * through the same stream as the node and writes the node's topics into an MCAP bag.
 * Exit codes: 0 after real work, 1 on a failure (bad bag, missing model, no command,
 * nothing grounded), 2 on bad usage (options, parameter values, commands file), 130 when
 * interrupted by a signal.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { ArgumentError, BagError, describeError, ModelError, ParameterError } from "../errors";
import { createConsoleLogger, type Logger } from "../log";
import { defaultParameters, type GroundingParameters } from "../params/declarations";
import { readParameterFile } from "../params/file";
import { mergeParameters } from "../params/validate";
import { setThreadNice } from "../runtime/thread-nice";
import { noExpressionReason, parseTranscript } from "../runtime/transcript";
import { formatSummary, ProgressBar, readCommandsFile, replayBag, ReplayInterruptedError, ThumbnailCollector, writeReport, type ScheduledCommand } from "../replay";
import { encodeGroundable, expressionToGround, type ParsedCommand } from "../runtime/spoken-expression";
import type { GroundingEngine } from "../runtime/types";
import { checkOutputFile, checkOutputsApart, parseCliArgs, parseParameterOption, parsePolicy } from "./runtime-options";

const USAGE = `Usage: softskip replay BAG [options]

Replays a ROS 2 bag (MCAP file, .db3 file or rosbag2 folder) through the grounding stream.

Options:
  --command TEXT          issue one command at the start of the bag, instead of the bag's
                          transcripts; like every command it lives command_ttl_s seconds
                          of bag time (${defaultParameters().command_ttl_s} by default; 0 grounds it once), set in --params
  --commands FILE         YAML or JSON list of {time_s, text}: commands at seconds after the
                          bag's start, instead of its transcripts ("stop" cancels)
  --out OUT.mcap          write ~/result, ~/detections and ~/annotations to this MCAP bag
  --report OUT.html       write a self-contained HTML report
  --params FILE           ROS 2 parameter file (config/params.yaml format; --params-file also works),
                          for example nice: -10 to run ahead of other processes
  --policy P              full | lgmdp | softskip | budget | static (overrides the parameter file)
  --budget-ms N           end-to-end latency budget per frame, in ms: the budget policy
                          plans within it, and every policy's results are counted over it
  --rate 1|max            1: bag time, frames arriving while busy are dropped (default);
                          max: as fast as possible, no frame dropped; other numbers scale bag time
  --include-input         also copy the image and transcript messages to --out
  --image-topic T         image topic, or its base name for T/compressed (default /camera/image_raw, else the first Image topic)
  --transcript-topic T    std_msgs/msg/String topic (default /transcript, else the first String topic)
  --model DIR             model directory containing manifest.json (default: the bundled model)
  --json                  print one JSON summary object on stdout
  -h, --help              show this help`;

interface ParsedArguments {
  bag: string;
  /** --command and its parsed form, checked against the model before the bag is read. */
  command?: { text: string; parsed: ParsedCommand };
  commands?: ScheduledCommand[];
  out?: string;
  report?: string;
  parameters: GroundingParameters;
  rate: number | "max";
  includeInput: boolean;
  imageTopic?: string;
  transcriptTopic?: string;
  model?: string;
  json: boolean;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }

  let parsed: ParsedArguments;
  try {
    parsed = parseArguments(args);
  } catch (error) {
    if (error instanceof ArgumentError || error instanceof ParameterError) {
      // --help lists the options, and config/params.yaml lists the parameters.
      let hint = " Run softskip replay --help for the options.";
      if (error.message.includes("--help") || error.message.includes("Fix the file")) {
        hint = "";
      } else if (error instanceof ParameterError) {
        hint = " See config/params.yaml for every parameter with its type and range.";
      }
      // main prints it, as the JSON error object under --json, and exits 2.
      throw new ArgumentError(`replay: ${describeError(error)}${hint}`, { cause: error });
    }
    throw error;
  }

  // Checked before the model loads, which takes seconds, so a mistyped path fails at once.
  if (!existsSync(parsed.bag)) {
    throw new BagError(parsed.bag, `Bag not found: ${parsed.bag}; pass an .mcap or .db3 file or a rosbag2 folder containing metadata.yaml.`);
  }

  const progress = new ProgressBar();
  const logger = progress.wrapLogger(createConsoleLogger("replay"));
  const engine = await loadEngine(parsed, logger);
  const thumbnails = parsed.report !== undefined ? new ThumbnailCollector() : undefined;
  // Ctrl-C stops the replay cleanly: the temporary output bag is deleted, not left behind.
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (parsed.command !== undefined) {
      await checkCommandOption(engine, parsed.command);
    }
    const result = await replayBag({
      bagPath: parsed.bag,
      engine,
      parameters: parsed.parameters,
      commands: parsed.commands,
      rate: parsed.rate,
      outPath: parsed.out,
      includeInput: parsed.includeInput,
      imageTopic: parsed.imageTopic,
      transcriptTopic: parsed.transcriptTopic,
      logger,
      onProgress: (done, total) => progress.update(done, total),
      onResultImage: thumbnails?.sink,
      signal: interrupt.signal,
    });
    progress.clear();

    // The text summary comes first, so that a report that cannot be written loses nothing
    // else. --json promises one object on stdout, the summary or the error, so it waits.
    if (!parsed.json) {
      process.stdout.write(formatSummary(result.summary) + "\n");
    }
    if (parsed.report !== undefined && thumbnails !== undefined) {
      await writeReport(parsed.report, result.summary, result.results, await thumbnails.render(logger));
      logger.info(`Wrote the report ${parsed.report}.`);
    }
    if (parsed.json) {
      process.stdout.write(JSON.stringify(result.summary) + "\n");
    }

    if (result.summary.commands === 0) {
      logger.error(
        parsed.commands !== undefined
          ? "No command was issued, so nothing was grounded: every entry of --commands was a stop or came after the bag's last frame; give at least one command that names an object."
          : "No command was issued, so nothing was grounded: the bag has no transcripts; pass --command TEXT or --commands FILE.",
      );
      return 1;
    }
    const { frames } = result.summary;
    if (frames.received > 0 && frames.processed === 0 && frames.rejected === frames.received) {
      logger.error(`Every one of the ${frames.received} image messages was rejected, so nothing was grounded; the warnings above give the reason for each kind.`);
      return 1;
    }
    if (frames.received === 0) {
      logger.error("The bag's image topic has no messages, so nothing was grounded; pass --image-topic with a topic that has camera images.");
      return 1;
    }
    // NO_IMAGE results are notices about commands, not groundings of a frame.
    let resultCount = 0;
    for (const [status, count] of Object.entries(result.summary.results)) {
      if (status !== "no_image") {
        resultCount += count;
      }
    }
    if (resultCount === 0) {
      logger.error(
        "No command had a usable frame after it, so nothing was grounded; the warnings above say why: a command was rejected, or came after the last frame.",
      );
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof ReplayInterruptedError) {
      progress.clear();
      logger.warn(error.message);
      if (parsed.json) {
        process.stdout.write(JSON.stringify({ status: "interrupted", error: error.message }) + "\n");
      }
      return 130;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    progress.clear();
    await engine.close();
  }
}

/**
 * Rejects a --command the model cannot ground before the bag is read. The stream would
 * reject it too, but only after replaying the whole bag for nothing.
 */
async function checkCommandOption(engine: GroundingEngine, { text, parsed }: NonNullable<ParsedArguments["command"]>): Promise<void> {
  const { expression, problem } = expressionToGround(parsed, engine.objectNouns, engine.objectSynonyms);
  const encoded = problem === null ? await encodeGroundable(engine, expression) : { command: null, problem };
  if (encoded.command !== null) {
    engine.release(encoded.command);
    return;
  }
  throw new ArgumentError(
    `replay: --command ${JSON.stringify(text)} ${encoded.problem.explanation}; name one object in English tabletop words, for example --command "grab the red cup left of the bowl".`,
  );
}

const OPTIONS = {
  command: { type: "string" },
  commands: { type: "string" },
  out: { type: "string" },
  report: { type: "string" },
  params: { type: "string" },
  // The name `ros2 run ... --ros-args --params-file` uses.
  "params-file": { type: "string" },
  policy: { type: "string" },
  "budget-ms": { type: "string" },
  rate: { type: "string", default: "1" },
  "include-input": { type: "boolean", default: false },
  "image-topic": { type: "string" },
  "transcript-topic": { type: "string" },
  model: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

function parseArguments(args: string[]): ParsedArguments {
  const { values, positionals } = parseCliArgs(() => parseArgs({ args, allowPositionals: true, options: OPTIONS }), "softskip replay", Object.keys(OPTIONS));
  if (values.out !== undefined) {
    checkOutputFile(values.out, "--out", "result.mcap");
  }
  if (values.report !== undefined) {
    checkOutputFile(values.report, "--report", "report.html");
  }

  if (positionals.length !== 1) {
    throw new ArgumentError(`Expected exactly one BAG argument but received ${positionals.length} (${positionals.join(" ") || "none"}).`);
  }
  const inputs = [{ name: "input bag", path: positionals[0] }];
  if (values.params !== undefined && values["params-file"] !== undefined) {
    throw new ArgumentError("--params and --params-file name the same file; pass one of them.");
  }
  const paramsFile = values.params ?? values["params-file"];
  for (const [name, path] of [["commands file", values.commands], ["parameter file", paramsFile]] as const) {
    if (path !== undefined) {
      inputs.push({ name, path });
    }
  }
  checkOutputsApart(
    inputs,
    [
      { name: "--out", path: values.out },
      { name: "--report", path: values.report },
    ].filter((entry): entry is { name: string; path: string } => entry.path !== undefined),
  );
  if (values.command !== undefined && values.commands !== undefined) {
    throw new ArgumentError("Pass either --command or --commands, not both.");
  }
  if (values.command !== undefined && values.command.trim() === "") {
    throw new ArgumentError('Invalid --command "": pass the spoken command, for example --command "grab the red mug".');
  }
  let command: ParsedArguments["command"];
  if (values.command !== undefined) {
    const parsed = parseTranscript(values.command, "--command");
    if (parsed.kind !== "command") {
      throw new ArgumentError(
        `--command ${JSON.stringify(values.command)} ${noExpressionReason(values.command, parsed)}; pass words that name the object, for example --command "grab the red mug".`,
      );
    }
    command = { text: values.command, parsed };
  }

  const overrides: Record<string, unknown> = {};
  if (values.policy !== undefined) {
    overrides["policy"] = parsePolicy(values.policy, "--policy");
  }
  if (values["budget-ms"] !== undefined) {
    overrides["latency_budget_ms"] = parseParameterOption(values["budget-ms"], "--budget-ms", "latency_budget_ms");
  }
  const base = paramsFile !== undefined ? readParameterFile(paramsFile) : defaultParameters();

  return {
    bag: positionals[0],
    command,
    commands: values.command !== undefined ? [{ timeS: 0, text: values.command }] : values.commands !== undefined ? readCommandsFile(values.commands) : undefined,
    out: values.out,
    report: values.report,
    parameters: mergeParameters(base, overrides, "the command line"),
    rate: parseRate(values.rate),
    includeInput: values["include-input"],
    imageTopic: values["image-topic"],
    transcriptTopic: values["transcript-topic"],
    model: values.model,
    json: values.json,
  };
}

function parseRate(text: string): number | "max" {
  if (text === "max") {
    return "max";
  }
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(`Invalid --rate ${JSON.stringify(text)}: expected "max" or a positive number such as 1.`);
  }
  return value;
}

/** Loads the model; a missing one fails with the directory and what to do, before any bag work. */
async function loadEngine(parsed: ParsedArguments, logger: Logger): Promise<GroundingEngine> {
  const runtime = await import("../runtime/index.js");
  const modelDir = parsed.model ?? (parsed.parameters.model_path !== "" ? parsed.parameters.model_path : runtime.BUNDLED_MODEL_DIR);
  if (!existsSync(join(modelDir, "manifest.json"))) {
    throw new ModelError(
      modelDir,
      parsed.model === undefined
        ? `No model is installed at ${modelDir} (manifest.json is missing); train and export one with models/training, or pass --model DIR.`
        : `--model ${modelDir} has no manifest.json; pass the folder that train.py exported, such as models/lgmdp-tabletop.`,
    );
  }
  const niceFailure = setThreadNice(parsed.parameters.nice);
  if (niceFailure !== null) {
    logger.warn(`The replay's main thread runs at its default priority: ${niceFailure}.`);
  } else if (parsed.parameters.nice !== 0) {
    logger.info(`The replay's main thread runs at nice ${parsed.parameters.nice}.`);
  }
  return runtime.loadGroundingEngine(modelDir, {
    numThreads: parsed.parameters.num_threads,
    nice: parsed.parameters.nice,
    replySpinMs: parsed.parameters.reply_spin_ms,
    logger,
  });
}
