/**
 * `softskip synth dataset|bag`: the procedural tabletop scene generator on the command
 * line. The dataset and bag writers live in src/synth; this file parses and checks
 * arguments, sets up logging and prints the summary.
 */
import { existsSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";

import { ArgumentError } from "../errors";
import { createConsoleLogger } from "../log";
import { writeDataset } from "../synth/dataset";
import { writeSessionBag } from "../synth/session";
import { checkOutputFile, parseCliArgs } from "./runtime-options";

const USAGE = `Usage:
  softskip synth dataset --out DIR [--scenes N] [--width W] [--height H] [--seed S]
                         [--quality Q] [--threads N] [--json]
  softskip synth bag --out FILE.mcap [--seconds T] [--rate HZ] [--seed S]
                     [--encoding rgb8|bgr8] [--compressed] [--raw | --no-raw]
                     [--width W] [--height H] [--quality Q] [--json]

dataset writes DIR/instances.json, DIR/refs.json and DIR/images/NNNNNN.jpg. Images go to
the splits train, val, test and test-novel in shares of about 75, 10, 10 and 5%, so a
small --scenes value can leave a split empty; use 100 or more for eval --split test.
  --scenes       number of images (default 1000)
  --width/height image size in pixels (default 640x480)
  --seed         unsigned 32-bit seed; the same seed gives the same bytes (default 1)
  --quality      JPEG quality 1..100 (default 90)
  --threads      worker threads rendering scenes; 0 renders in the main thread (default 2)

bag writes a ROS 2 MCAP bag of a robot session: camera frames, spoken commands and the
ground-truth box per frame.
  --seconds      session length in seconds (default 25)
  --rate         camera frame rate in Hz (default 5)
  --seed         as for dataset (default 1)
  --encoding     sensor_msgs/Image encoding of raw frames (default rgb8)
  --compressed   also write /camera/image_raw/compressed (JPEG)
  --raw          write /camera/image_raw (the default)
  --no-raw       leave out /camera/image_raw (needs --compressed)
  --quality      JPEG quality of compressed frames 1..100 (default 80)
  --width/height image size in pixels (default 640x480)

--json prints one JSON summary object on stdout; progress goes to stderr.`;

/** Parses a whole decimal number option, naming the option in the error. */
export function integerOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) {
    return fallback;
  }
  if (!/^[0-9]+$/.test(text.trim())) {
    throw new ArgumentError(`--${name} must be a whole number but is ${JSON.stringify(text)}; pass for example --${name} ${fallback}.`);
  }
  return Number(text);
}

/** Parses a positive decimal option, naming the option in the error. */
export function numberOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) {
    return fallback;
  }
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(`--${name} must be a positive number but is ${JSON.stringify(text)}; pass for example --${name} ${fallback}.`);
  }
  return value;
}

function parse(mode: string, args: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  return parseCliArgs(
    () => parseArgs({ args, options, allowPositionals: false, allowNegative: true, strict: true }),
    `softskip synth ${mode}`,
    Object.keys(options),
  );
}

async function runDataset(args: string[]): Promise<number> {
  const { values } = parse("dataset", args, {
    out: { type: "string" },
    scenes: { type: "string" },
    width: { type: "string" },
    height: { type: "string" },
    seed: { type: "string" },
    quality: { type: "string" },
    threads: { type: "string" },
    json: { type: "boolean", default: false },
  });
  if (typeof values.out !== "string") {
    throw new ArgumentError("synth dataset needs the output folder; pass --out DIR. Run softskip synth --help for the options.");
  }
  const logger = createConsoleLogger("synth");
  const summary = await writeDataset({
    out: values.out,
    scenes: integerOption("scenes", values.scenes as string | undefined, 1000),
    width: integerOption("width", values.width as string | undefined, 640),
    height: integerOption("height", values.height as string | undefined, 480),
    seed: integerOption("seed", values.seed as string | undefined, 1),
    quality: integerOption("quality", values.quality as string | undefined, 90),
    threads: integerOption("threads", values.threads as string | undefined, 2),
    logger,
  });
  if (values.json === true) {
    process.stdout.write(JSON.stringify(summary) + "\n");
  } else {
    process.stdout.write(
      `Wrote ${summary.images} images, ${summary.annotations} objects and ${summary.refs} refs (${summary.absentRefs} absent) to ${summary.out} in ${summary.seconds.toFixed(1)} s (${summary.scenesPerSecond.toFixed(1)} scenes/s).\n`,
    );
  }
  return 0;
}

async function runBag(args: string[]): Promise<number> {
  const { values } = parse("bag", args, {
    out: { type: "string" },
    seconds: { type: "string" },
    rate: { type: "string" },
    seed: { type: "string" },
    encoding: { type: "string" },
    compressed: { type: "boolean", default: false },
    raw: { type: "boolean", default: true },
    width: { type: "string" },
    height: { type: "string" },
    quality: { type: "string" },
    json: { type: "boolean", default: false },
  });
  if (typeof values.out !== "string") {
    throw new ArgumentError("synth bag needs the output file; pass --out FILE.mcap. Run softskip synth --help for the options.");
  }
  checkOutputFile(values.out, "--out", "session.mcap");
  // Like ros2 bag record, never replace an existing bag.
  if (existsSync(values.out)) {
    throw new ArgumentError(`--out ${values.out} already exists; delete it first or pass a new file.`);
  }
  const encoding = (values.encoding as string | undefined) ?? "rgb8";
  if (encoding !== "rgb8" && encoding !== "bgr8") {
    throw new ArgumentError(`--encoding must be rgb8 or bgr8 but is ${JSON.stringify(encoding)}.`);
  }
  const summary = await writeSessionBag({
    out: values.out,
    seconds: numberOption("seconds", values.seconds as string | undefined, 25),
    rate: numberOption("rate", values.rate as string | undefined, 5),
    seed: integerOption("seed", values.seed as string | undefined, 1),
    encoding,
    compressed: values.compressed === true,
    raw: values.raw !== false,
    width: integerOption("width", values.width as string | undefined, 640),
    height: integerOption("height", values.height as string | undefined, 480),
    quality: integerOption("quality", values.quality as string | undefined, 80),
    logger: createConsoleLogger("synth"),
  });
  if (values.json === true) {
    process.stdout.write(JSON.stringify(summary) + "\n");
  } else {
    const lines = summary.script.map((entry) => `  ${entry.timeS.toFixed(1).padStart(5)} s  ${JSON.stringify(entry.transcript)}`);
    const commands = `${summary.commands} command${summary.commands === 1 ? "" : "s"}`;
    process.stdout.write(`Wrote ${summary.frames} frames, ${commands} and ${summary.messages} messages to ${summary.out}:\n${lines.join("\n")}\n`);
  }
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [mode, ...rest] = args;
  if (mode === undefined || mode === "--help" || mode === "-h") {
    process.stdout.write(USAGE + "\n");
    return mode === undefined ? 2 : 0;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  switch (mode) {
    case "dataset":
      return runDataset(rest);
    case "bag":
      return runBag(rest);
    default:
      throw new ArgumentError(`Unknown synth mode ${JSON.stringify(mode)}; use "dataset" or "bag". Run softskip synth --help for the options.`);
  }
}
