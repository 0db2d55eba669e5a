#!/usr/bin/env node
/**
 * `softskip` command line: one subcommand per file in this folder, each exporting
 * `run(args): Promise<number>` that returns the process exit code.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { ArgumentError, describeError, SoftSkipError } from "../errors";
import { editDistance } from "./runtime-options";

interface Subcommand {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  replay: { summary: "replay a ROS 2 bag through the grounding stream", load: () => import("./replay.js") },
  ground: { summary: "ground one expression on one image file", load: () => import("./ground.js") },
  synth: { summary: "generate tabletop scenes: a dataset or a session bag", load: () => import("./synth.js") },
  eval: { summary: "score policies on a dataset split", load: () => import("./eval.js") },
  node: { summary: "run the ROS 2 node (needs rclnodejs and a sourced ROS 2)", load: () => import("./node.js") },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`);
  return ["Usage: softskip <command> [options]", "", "Commands:", ...lines, "", "Run softskip <command> --help for its options, softskip --version for the version."].join("\n");
}

/** The package version from package.json (this file runs as dist/src/cli/main.js). */
function version(): string {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, "../../../package.json"), "utf8")) as { version?: unknown };
  return String(manifest.version);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(usage() + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`softskip ${version()}\n`);
    return 0;
  }

  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (command === undefined) {
    const suggestion = Object.keys(SUBCOMMANDS).find((known) => editDistance(known, name) <= 2);
    const hint = suggestion === undefined ? "" : ` Did you mean softskip ${suggestion}?`;
    process.stderr.write(`softskip: unknown command ${JSON.stringify(name)}.${hint}\n\n${usage()}\n`);
    return 2;
  }

  const module = await command.load();
  return module.run(rest);
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { path: string; syscall: string } {
  const candidate = error as NodeJS.ErrnoException | null;
  return typeof candidate?.code === "string" && typeof candidate.path === "string" && typeof candidate.syscall === "string";
}

/** Returns the sentence printed for a failure, which is also the `error` field under `--json`. */
function failureMessage(error: unknown): string {
  if (error instanceof SoftSkipError) {
    return error.message;
  }
  if (isFileSystemError(error)) {
    // A path the checks before the work could not foresee, such as a read-only folder.
    return `cannot ${error.syscall} ${error.path}: ${error.code}; check the path and its permissions.`;
  }
  return `unexpected error: ${describeError(error)}`;
}

/** Writes the failure as the one JSON object that `--json` promises on stdout. */
function writeJsonError(error: unknown): void {
  process.stdout.write(JSON.stringify({ status: "error", error: failureMessage(error) }) + "\n");
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (argv.includes("--json")) {
      writeJsonError(error);
    }
    // Expected failures (bad file, bad argument) print one sentence; anything else is a bug
    // and keeps its stack.
    if (error instanceof ArgumentError) {
      // Usage errors exit 2 like replay's option errors and most Unix tools.
      process.stderr.write(`softskip: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const known = error instanceof SoftSkipError || isFileSystemError(error);
    process.stderr.write(`softskip: ${failureMessage(error)}\n${known ? "" : `${(error as Error)?.stack ?? ""}\n`}`);
    process.exitCode = 1;
  },
);
