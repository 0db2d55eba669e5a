/**
 * Transcript normalisation: turns a spoken command as a speech recogniser writes it
 * ("Um, could you grab the the 2nd red cup, please?") into the referring expression the
 * model was trained on ("the second red cup"), and distinguishes commands from stops and
 * corrections. Pure and synchronous, so the stream can call it per message.
 */
import { InputError } from "../errors";

/** Maximum transcript length in characters. A spoken command is far shorter. */
export const MAX_TRANSCRIPT_LENGTH = 500;

export type ParsedTranscript =
  | {
      kind: "command";
      expression: string;
      /** The speaker replaced the previous command ("no, the blue one"). */
      isCorrection: boolean;
      /** The phrase the speaker rejected, as in "not the red mug, the blue one". */
      rejected?: string;
    }
  | { kind: "stop" }
  | { kind: "empty" };

const FILLERS = new Set(["uh", "uhh", "um", "umm", "uhm", "er", "erm", "ah", "hmm", "hm", "mm", "mhm"]);

/**
 * Whole-transcript stop phrases, matched after fillers and politeness words are removed.
 * A bare "no" counts as a stop because it rejects the current command without a new one.
 */
const STOP_PHRASES = new Set([
  "stop",
  "cancel",
  "abort",
  "halt",
  "never mind",
  "nevermind",
  "forget it",
  "forget that",
  "leave it",
  "stop that",
  "cancel that",
  "stop it",
  "no",
  "nope",
  "nothing",
]);

/**
 * Stop phrases that may start a new command in the same breath ("never mind, the blue
 * one"): the rest then replaces the current command. Longer phrases come first.
 */
const STOP_LEADS = ["never mind", "nevermind", "forget it", "forget that", "stop that", "cancel that", "stop it", "leave it", "stop", "cancel", "abort", "halt"];

/** Leading words that negate the whole command ("don't grab the red mug"): a stop. */
const NEGATED_VERBS = ["don't", "dont", "do not"];

/** Leading phrases that mark a correction of the previous command, longest first. */
const CORRECTION_PREFIXES = [
  "no not that one",
  "not that one",
  "no i mean",
  "no sorry",
  "sorry i mean",
  "i mean",
  "i meant",
  "what about",
  "how about",
  "actually",
  "rather",
  "instead",
  "sorry",
  "nope",
  "wait",
  "no",
];

/**
 * Leading command words, stripped repeatedly so that chains such as
 * "okay robot could you please pick up" disappear. Longer phrases come before their prefixes.
 */
const COMMAND_PREFIXES = [
  "could you please",
  "can you please",
  "would you please",
  "will you please",
  "would you mind",
  "could you",
  "can you",
  "would you",
  "will you",
  "i would like",
  "i'd like",
  "i want",
  "i need",
  "please",
  "hey robot",
  "robot",
  "okay",
  "ok",
  "hey",
  "now",
  "then",
  "and",
  "pick up",
  "pick",
  "grab",
  "get me",
  "get",
  "give me",
  "hand me",
  "bring me",
  "pass me",
  "fetch me",
  "fetch",
  "take",
  "find me",
  "find",
  "show me",
  "point at",
  "point to",
  "look at",
  "where is",
  "where's",
  "locate",
  "select",
  "touch",
  "reach for",
  "go to",
];

/** Trailing politeness and particle words ("pick the cup up", "the cup for me please"). */
const TRAILING_SUFFIXES = ["thank you", "thanks", "please", "for me", "now", "up"];

const ORDINAL_WORDS: Record<string, string> = {
  "1st": "first",
  "2nd": "second",
  "3rd": "third",
  "4th": "fourth",
  "5th": "fifth",
  "6th": "sixth",
  "7th": "seventh",
  "8th": "eighth",
  "9th": "ninth",
  "10th": "tenth",
};

const NUMBER_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];

/**
 * Parses one transcript. Throws InputError when `text` is not a string or longer than
 * MAX_TRANSCRIPT_LENGTH characters. Every other string parses, possibly to "empty".
 *
 * @param source where the text came from (topic or "--text"), for the error message.
 */
export function parseTranscript(text: string, source = "transcript"): ParsedTranscript {
  checkTranscript(text, source);

  let words = normaliseWords(text);
  if (words.length === 0) {
    return { kind: "empty" };
  }

  if (STOP_PHRASES.has(stripPoliteness(words).join(" "))) {
    return { kind: "stop" };
  }

  // "no wait, the blue one", "never mind, the blue one": every leading correction or stop
  // phrase goes, and what follows replaces the command.
  let isCorrection = false;
  for (let next = stripPrefix(words, CORRECTION_PREFIXES) ?? stripPrefix(words, STOP_LEADS); next !== undefined; ) {
    words = next;
    isCorrection = true;
    next = stripPrefix(words, CORRECTION_PREFIXES) ?? stripPrefix(words, STOP_LEADS);
  }
  if (stripPrefix(stripPoliteness(words), NEGATED_VERBS) !== undefined) {
    return { kind: "stop" };
  }
  if (words[0] === "not") {
    return parseNegation(text, words);
  }

  words = stripCommandWords(words);
  if (words.length === 0) {
    return isCorrection ? { kind: "stop" } : { kind: "empty" };
  }
  if (STOP_PHRASES.has(words.join(" "))) {
    return { kind: "stop" };
  }
  return { kind: "command", expression: words.join(" "), isCorrection };
}

/**
 * Parses "not the red mug, the blue one" or "not the red mug but the blue one" (`words`
 * starts with "not") into a correction to the second phrase. The comma is read from the
 * raw text, because normalising removes it. Without a second phrase it is a stop: the
 * speaker rejected an object without naming another.
 */
function parseNegation(text: string, words: string[]): ParsedTranscript {
  // The rejected phrase is words[1..rejectedEnd), the new one starts at `start`.
  let rejectedEnd = words.indexOf("but");
  let start = rejectedEnd + 1;
  if (rejectedEnd < 0) {
    const afterComma = normaliseWords(text.split(/[,;]/).slice(-1)[0] ?? "");
    start = words.length - afterComma.length;
    const isTail = afterComma.length > 0 && start > 1 && afterComma.every((word, index) => words[start + index] === word);
    rejectedEnd = isTail ? start : -1;
  }
  if (rejectedEnd < 0) {
    return { kind: "stop" };
  }
  const rejected = words.slice(1, rejectedEnd).join(" ");
  const expression = stripCommandWords(words.slice(start));
  if (expression.length === 0 || expression[0] === "not") {
    return { kind: "stop" };
  }
  return { kind: "command", expression: expression.join(" "), isCorrection: true, ...(rejected === "" ? {} : { rejected }) };
}

/**
 * Explains why a transcript that parsed to "empty" or "stop" names no object, for messages
 * such as `--text "uh" contains no referring expression`.
 */
export function noExpressionReason(text: string, parsed: Exclude<ParsedTranscript, { kind: "command" }>): string {
  if (parsed.kind === "stop") {
    return "is a stop command";
  }
  const hasLetters = /\p{L}/u.test(text);
  const hasLatin = /[a-z]/i.test(text.normalize("NFKD"));
  return hasLetters && !hasLatin ? "has no words in the Latin alphabet, and the model understands English only" : "contains no referring expression";
}

function checkTranscript(text: unknown, source: string): asserts text is string {
  if (typeof text !== "string") {
    throw new InputError(
      source,
      "data",
      "not_text",
      `Transcript from ${source} must be a string but received ${typeof text}; send std_msgs/String data.`,
    );
  }
  if (text.length > MAX_TRANSCRIPT_LENGTH) {
    throw new InputError(
      source,
      "data",
      "too_long",
      `Transcript from ${source} is ${text.length} characters long; the maximum is ${MAX_TRANSCRIPT_LENGTH}, so send one spoken command per message.`,
    );
  }
}

/**
 * Lowercases, maps curly apostrophes to "'", replaces every other character outside
 * [a-z0-9'] by a space (the model's tokenizer rule), drops fillers, rewrites numbers
 * and collapses immediate repeats ("the the").
 */
function normaliseWords(text: string): string[] {
  // Accents are dropped ("café" -> "cafe") because the vocabulary is ASCII; without this
  // the character class below would split accented words ("caf").
  const cleaned = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[^a-z0-9']+/g, " ");

  const words: string[] = [];
  for (const raw of cleaned.split(" ")) {
    const word = rewriteNumber(raw.replace(/^'+|'+$/g, ""));
    if (word === "" || FILLERS.has(word)) {
      continue;
    }
    if (words.length > 0 && words[words.length - 1] === word) {
      continue;
    }
    words.push(word);
  }
  return words;
}

/** Rewrites "2nd" as "second" and small cardinals ("2") as words. Larger numbers stay digits. */
function rewriteNumber(word: string): string {
  const ordinal = ORDINAL_WORDS[word];
  if (ordinal !== undefined) {
    return ordinal;
  }
  if (/^\d+$/.test(word)) {
    const value = Number(word);
    if (value < NUMBER_WORDS.length) {
      return NUMBER_WORDS[value];
    }
  }
  return word;
}

function stripPoliteness(words: string[]): string[] {
  let rest = words;
  for (;;) {
    const next = stripPrefix(rest, ["please", "okay", "ok", "hey", "robot"]) ?? stripSuffix(rest, TRAILING_SUFFIXES);
    if (next === undefined) {
      return rest;
    }
    rest = next;
  }
}

function stripCommandWords(words: string[]): string[] {
  let rest = words;
  for (let next = stripPrefix(rest, COMMAND_PREFIXES); next !== undefined; next = stripPrefix(rest, COMMAND_PREFIXES)) {
    rest = next;
  }
  for (let next = stripSuffix(rest, TRAILING_SUFFIXES); next !== undefined; next = stripSuffix(rest, TRAILING_SUFFIXES)) {
    rest = next;
  }
  return rest;
}

/** Returns `words` without the first matching phrase at its start, or undefined. */
function stripPrefix(words: string[], phrases: readonly string[]): string[] | undefined {
  for (const phrase of phrases) {
    const parts = phrase.split(" ");
    if (parts.length <= words.length && parts.every((part, index) => words[index] === part)) {
      return words.slice(parts.length);
    }
  }
  return undefined;
}

function stripSuffix(words: string[], phrases: readonly string[]): string[] | undefined {
  for (const phrase of phrases) {
    const parts = phrase.split(" ");
    const offset = words.length - parts.length;
    if (offset >= 0 && parts.every((part, index) => words[offset + index] === part)) {
      return words.slice(0, offset);
    }
  }
  return undefined;
}
