/** Option parsing and output checks shared by the subcommands. */
import { accessSync, constants, statSync, type Stats } from "node:fs";
import { dirname, relative, resolve, isAbsolute } from "node:path";

import { ArgumentError, describeError } from "../errors";
import type { PolicyName } from "../params/declarations";
import { PARAMETER_DECLARATIONS, POLICY_NAMES } from "../params/declarations";

/**
 * Runs node:util parseArgs and turns its TypeError into a one-line ArgumentError naming the
 * subcommand. `known` (option names without dashes) lets an unknown option get a suggestion.
 */
export function parseCliArgs<T>(parse: () => T, command: string, known: readonly string[] = []): T {
  try {
    return parse();
  } catch (error) {
    throw new ArgumentError(`${describeParseError(error, known)} Run ${command} --help for the options.`);
  }
}

/** Rewrites node:util parseArgs errors, whose texts span lines and address JavaScript callers. */
function describeParseError(error: unknown, known: readonly string[]): string {
  const text = describeError(error);
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(text);
  if (unknown !== null) {
    const suggestion = closestOption(unknown[1].replace(/^-+/, ""), known);
    const hint = suggestion === undefined ? "." : `; did you mean --${suggestion}?`;
    return `Unknown option ${unknown[1]}${hint}`;
  }
  const ambiguous = /^Option '(-{1,2}[^ ']+)[^']*' argument is ambiguous/.exec(text);
  if (ambiguous !== null) {
    // No option of the command line takes a negative number, so a value such as -5 is a mistake.
    return `${ambiguous[1]} has no value: the next argument starts with "-". Give the value after it, or write ${ambiguous[1]}=VALUE for a value that really starts with "-".`;
  }
  return text.split("\n")[0].replace(/[.\s]*$/, ".");
}

/**
 * Returns the known option a mistyped name most likely meant. The longest shared start
 * wins (at least 3 characters, so "--secs" finds "--seconds"), then the fewest edits (at
 * most 2, so "--comand" finds "--command").
 */
function closestOption(name: string, known: readonly string[]): string | undefined {
  const sharedStart = (option: string): number => {
    let length = 0;
    while (length < Math.min(option.length, name.length) && option[length] === name[length]) {
      length += 1;
    }
    return length;
  };
  const ranked = known
    .map((option) => ({ option, start: sharedStart(option), edits: editDistance(option, name) }))
    .filter(({ start, edits }) => start >= 3 || edits <= 2)
    .sort((a, b) => b.start - a.start || a.edits - b.edits);
  return ranked[0]?.option;
}

/** Returns the Levenshtein distance of two names, for suggesting the option or command a typo meant. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Returns the stats of `path`, or undefined when it or a folder on its way does not exist. */
function existing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return undefined;
    }
    throw error;
  }
}

/**
 * Checks before any work that `path` can be written as a file: it is not a folder, and its
 * nearest existing ancestor is a folder (missing folders are created later).
 */
export function checkOutputFile(path: string, option: string, exampleName = "result.png"): void {
  if (path.trim() === "") {
    throw new ArgumentError(`${option} is empty; pass a file path such as out/${exampleName}.`);
  }
  const absolute = resolve(path);
  if (existing(absolute)?.isDirectory() === true) {
    throw new ArgumentError(`${option} ${path} is a folder; pass a file path inside it, such as ${path.replace(/\/$/, "")}/${exampleName}.`);
  }
  let ancestor = dirname(absolute);
  for (;;) {
    const stats = existing(ancestor);
    if (stats !== undefined) {
      if (!stats.isDirectory()) {
        throw new ArgumentError(`${option} ${path} cannot be created because ${ancestor} is a file, not a folder; pass another path.`);
      }
      break;
    }
    ancestor = dirname(ancestor);
  }
  // Checked now, so that a long run does not end in a write error and lose its results.
  // The folder, not an existing file: bags are written to a temporary file in the folder
  // and renamed over the target.
  try {
    accessSync(ancestor, constants.W_OK | constants.X_OK);
  } catch {
    throw new ArgumentError(`${option} ${path} cannot be written: this user may not write to ${ancestor}; pass a path in a folder you can write to.`);
  }
}

export function parsePolicy(value: string, option: string): PolicyName {
  if (!(POLICY_NAMES as readonly string[]).includes(value)) {
    throw new ArgumentError(`${option} ${JSON.stringify(value)} is not a policy; use one of ${POLICY_NAMES.join(", ")}.`);
  }
  return value as PolicyName;
}

export function parsePolicies(value: string, option: string): PolicyName[] {
  const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) {
    throw new ArgumentError(`${option} is empty; list policies separated by commas, such as full,softskip.`);
  }
  return [...new Set(names.map((name) => parsePolicy(name, option)))];
}

/**
 * Parses an option that sets one of the node's numeric parameters (`--threads` sets
 * num_threads, `--budget-ms` latency_budget_ms), with that parameter's type and range,
 * so that the command line and config/params.yaml accept the same values.
 */
export function parseParameterOption(value: string, option: string, parameter: "num_threads" | "latency_budget_ms"): number {
  const declaration = PARAMETER_DECLARATIONS[parameter];
  const range = declaration.range ?? { min: -Infinity, max: Infinity };
  const integer = declaration.type === "integer";
  const number = Number(value);
  // Number() also accepts "0x10" and "1e3", while a parameter file contains plain decimal numbers.
  const plain = integer ? /^\s*\d+\s*$/ : /^\s*-?\d+(\.\d+)?\s*$/;
  if (!plain.test(value) || !Number.isFinite(number) || number < range.min || number > range.max) {
    const kind = integer ? "a whole number" : "a number";
    throw new ArgumentError(
      `${option} ${JSON.stringify(value)} is invalid; pass ${kind} from ${range.min} to ${range.max}, the range of the ${parameter} parameter.`,
    );
  }
  return number;
}

export function parsePositiveInteger(value: string, option: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number <= 0) {
    throw new ArgumentError(`${option} ${JSON.stringify(value)} is invalid; pass a positive integer.`);
  }
  return number;
}

/** A path the command reads or writes, with the option or argument that names it. */
export interface NamedPath {
  name: string;
  path: string;
}

/**
 * Checks before any work that no output overwrites an input, or another output: the same
 * file (through any link), or a file inside an input folder such as a rosbag2 bag.
 */
export function checkOutputsApart(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): void {
  const identity = (path: string): string => {
    const stats = existing(resolve(path));
    return stats === undefined ? `path:${resolve(path)}` : `inode:${stats.dev}:${stats.ino}`;
  };
  for (const [index, output] of outputs.entries()) {
    for (const input of inputs) {
      const inside = relative(resolve(input.path), resolve(output.path));
      const within = existing(resolve(input.path))?.isDirectory() === true && inside !== "" && !inside.startsWith("..") && !isAbsolute(inside);
      if (identity(output.path) === identity(input.path) || within) {
        throw new ArgumentError(
          `${output.name} ${output.path} would overwrite ${within ? "a file of " : ""}the ${input.name} ${input.path}; pass another path.`,
        );
      }
    }
    for (const other of outputs.slice(index + 1)) {
      if (identity(output.path) === identity(other.path)) {
        throw new ArgumentError(`${output.name} and ${other.name} both name ${output.path}; pass two different files.`);
      }
    }
  }
}
