/**
 * `--commands FILE`: a YAML or JSON list of `{time_s, text}`, each issued `time_s`
 * seconds after the bag's first message.
 */
import { readFileSync } from "node:fs";

import { parse as parseYaml } from "yaml";

import { ArgumentError, describeError, describeYamlError } from "../errors";
import { noExpressionReason, parseTranscript } from "../runtime/transcript";
import type { ScheduledCommand } from "./types";

/** Reads and validates a commands file; throws ArgumentError naming the file, entry and field. */
export function readCommandsFile(path: string): ScheduledCommand[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ArgumentError(`Cannot read --commands file ${path}: ${describeError(error)}.`);
  }
  return parseCommands(text, path);
}

/** Parses the text of a commands file (JSON is valid YAML, so one parser reads both). */
export function parseCommands(text: string, source: string): ScheduledCommand[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ArgumentError(`--commands file ${source} is not valid YAML or JSON: ${describeYamlError(error)}.`);
  }
  if (!Array.isArray(document)) {
    throw new ArgumentError(`--commands file ${source} must contain a list of {time_s, text} entries but contains ${document === null ? "nothing" : typeof document}.`);
  }

  const commands = document.map((entry: unknown, position) => {
    // Entries are numbered from 1, as a person counts the lines of the list.
    const index = position + 1;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new ArgumentError(
        `--commands file ${source}, entry ${index} is ${JSON.stringify(entry)} but must be a mapping such as {time_s: 2.0, text: "the red mug"}.`,
      );
    }
    const fields = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(fields).filter((key) => key !== "time_s" && key !== "text");
    if (unknownKeys.length > 0) {
      throw new ArgumentError(
        `--commands file ${source}, entry ${index} has the unknown key ${unknownKeys.map((key) => JSON.stringify(key)).join(", ")}; each entry has exactly time_s and text, such as {time_s: 2.0, text: "the red mug"}.`,
      );
    }
    const timeS = fields["time_s"];
    const commandText = fields["text"];
    if (typeof timeS !== "number" || !Number.isFinite(timeS) || timeS < 0) {
      throw new ArgumentError(`--commands file ${source}, entry ${index}: time_s must be a number of seconds >= 0 but is ${JSON.stringify(timeS)}.`);
    }
    if (typeof commandText !== "string" || commandText.trim() === "") {
      throw new ArgumentError(`--commands file ${source}, entry ${index}: text must be a non-empty string but is ${JSON.stringify(commandText)}.`);
    }
    const parsed = parseTranscript(commandText, `--commands file ${source}, entry ${index}`);
    // A stop entry cancels the command in force, and pointing keeps it, so both are kept.
    // Other text that names nothing is a mistake.
    if (parsed.kind === "empty" && parsed.pointing !== true) {
      throw new ArgumentError(
        `--commands file ${source}, entry ${index}: text ${JSON.stringify(commandText)} ${noExpressionReason(commandText, parsed)}; name the object, or write "stop" to cancel.`,
      );
    }
    return { timeS, text: commandText, source: `--commands entry ${index}` };
  });
  // Stable sort, so commands at the same time keep file order.
  return commands.sort((a, b) => a.timeS - b.timeS);
}
