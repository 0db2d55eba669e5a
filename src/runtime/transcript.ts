/**
 * Transcript normalisation: turns a spoken command as a speech recogniser writes it
 * ("Um, could you grab the the 2nd red cup, please?") into the referring expression the
 * model was trained on ("the second red cup"), and distinguishes commands from stops and
 * corrections. Pure and synchronous, so the stream can call it per message.
 */
import { InputError } from "../errors";
import {
  ACKNOWLEDGEMENTS,
  COMMAND_PREFIXES,
  CORRECTION_PREFIXES,
  DESTINATION_STARTS,
  EXCEPTING_LEADS,
  EXCLUDING_LEADS,
  FILLERS,
  GREETINGS,
  LEADING_CANCELS,
  NEGATION_WORDS,
  NUMBER_WORDS,
  ORDINAL_WORDS,
  PAUSE_PHRASES,
  PLACING_VERBS,
  POINTING_WORDS,
  POSTPONING_PHRASES,
  PROHIBITING_LEADS,
  QUESTION_STARTS,
  REJECTING_LEADS,
  REJECTION_PHRASES,
  RELATIVE_WORDS,
  RESUME_PHRASES,
  SELF_REPAIR_MARKS,
  STATEMENT_VERBS,
  STOP_PHRASES,
  TRAILING_POSTPONING,
  TRAILING_STOPS,
  TRAILING_SUFFIXES,
  WARNING_LEADS,
} from "./transcript-words";

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
      /** The phrase the command leaves out, as in "the red can but leave the green cup". */
      excluded?: string;
    }
  | {
      kind: "stop";
      /**
       * The text only rejects the current command ("no", "sorry", "wrong one"), so the
       * next command, given after a pause, is likely its correction ("the blue one").
       */
      expectsCorrection?: true;
      /** The text negates its object in a way the model cannot follow ("the bowl that is not yellow"). */
      negation?: true;
      /** The correction points at an object without naming it ("no, that one"). */
      pointing?: true;
      /**
       * The text forbids without naming an object ("don't grab"), so a command in the next
       * message ("the red mug") is what it forbids.
       */
      forbidsNext?: true;
      /** The text pauses the command ("wait", "hold on"), which a later "go ahead" resumes. */
      pause?: true;
    }
  | {
      /** The text resumes the command that a pause interrupted ("okay, go ahead"). */
      kind: "resume";
    }
  | {
      kind: "empty";
      /** The text points at an object without naming it ("pick it up", "that one"). */
      pointing?: true;
      /** The text is a question or statement about an object, not a request ("is the mug hot"). */
      question?: true;
    };

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

  const whole = stripPoliteness(words);
  const wholeText = whole.join(" ");
  if (STOP_PHRASES.has(wholeText)) {
    const pause = PAUSE_PHRASES.has(wholeText) ? { pause: true as const } : {};
    // Only a rejection of the current object ("no", "wrong one") expects a correction next.
    if (REJECTION_PHRASES.has(wholeText) || stripCorrectionWords(whole).length === 0) {
      return { kind: "stop", expectsCorrection: true, ...pause };
    }
    return { kind: "stop", ...pause };
  }
  if (RESUME_PHRASES.has(wholeText)) {
    return { kind: "resume" };
  }
  // "careful, the mug is hot": a warning, whatever follows, so the robot must not go on.
  if (stripPrefix(whole, WARNING_LEADS) !== undefined) {
    return { kind: "stop" };
  }
  // "do you mind grabbing the mug" is a request, not a question.
  const favour = stripPrefix(whole, ["do you mind"]) !== undefined;
  if (!favour && (stripPrefix(words, QUESTION_STARTS) !== undefined || stripPrefix(whole, QUESTION_STARTS) !== undefined)) {
    return { kind: "empty", question: true };
  }
  // "the red mug scratch that": without punctuation, a stop at the end takes it back, and
  // "grab the mug later" puts it off. "grab the mug wait" pauses it.
  if (words.length > 1 && (stripSuffix(whole, TRAILING_STOPS) !== undefined || stripSuffix(whole, TRAILING_POSTPONING) !== undefined)) {
    const pauses = TRAILING_STOPS.some((phrase) => PAUSE_PHRASES.has(phrase) && stripSuffix(whole, [phrase]) !== undefined);
    return pauses ? { kind: "stop", pause: true } : { kind: "stop" };
  }

  // Clauses as punctuated: "never mind, the blue one" has two. Leading clauses that only
  // stop or mark a correction ("no,", "sorry, my mistake,") go, and the rest corrects.
  const split = splitClauses(text);
  // "the mug, stop" ends with a stop: the speaker took the request back.
  const lastClause = stripPoliteness(split[split.length - 1] ?? []).join(" ");
  if (split.length > 1 && STOP_PHRASES.has(lastClause)) {
    return { kind: "stop" };
  }
  // Before politeness stripping, which would take the "now" of "not now".
  if (split.some((clause) => POSTPONING_PHRASES.has(clause.join(" ")) || POSTPONING_PHRASES.has(stripPoliteness(clause).join(" ")))) {
    return { kind: "stop" };
  }
  const repair = selfRepair(split);
  const clauses = repair.clauses;
  let isCorrection = repair.rejected !== undefined;
  while (clauses.length > 1) {
    // "right, the blue mug": a lone "right" is agreement, not a position.
    const lead = (clauses[0] as string[]).join(" ") === "right" ? [] : stripPoliteness(clauses[0] as string[]);
    if (lead.length > 0 && !isStopOrCorrection(lead)) {
      break;
    }
    // A clause of politeness alone ("okay robot,") goes without marking a correction.
    clauses.shift();
    isCorrection ||= lead.length > 0;
  }
  const opening = stripPoliteness(clauses[0] ?? []);
  let first = stripCorrectionWords(opening);
  isCorrection ||= first.length < opening.length;
  // "cancel that and grab the bowl": a stop phrase joined to a new command by "and".
  const and = first.indexOf("and");
  if (and > 0 && STOP_PHRASES.has(first.slice(0, and).join(" "))) {
    first = first.slice(and + 1);
    isCorrection = true;
  }
  const afterCancel = stripPrefix(first, LEADING_CANCELS);
  // "scratch that the bowl" ends its cancel with "that", so an article after it starts the new object.
  const cancelEndsClause = first[1] === "that" || first[1] === "it";
  const startsCommand = afterCancel !== undefined && (stripPrefix(afterCancel, COMMAND_PREFIXES) !== undefined || (cancelEndsClause && ARTICLE_STARTS.has(afterCancel[0] as string)));
  if (afterCancel !== undefined && startsCommand && (cancelEndsClause || !PHRASE_STARTS.has(afterCancel[0] as string))) {
    // "scratch that grab the bowl", "hold on grab the bowl".
    first = afterCancel;
    isCorrection = true;
  }

  const polite = stripPoliteness(first);
  const lead = REJECTING_LEADS.find((phrase) => stripPrefix(polite, [phrase]) !== undefined);
  if (lead !== undefined) {
    return parseRejection(lead, polite.slice(lead.split(" ").length), clauses.slice(1));
  }

  words = stripCommandWords([...first, ...clauses.slice(1).flat()]);
  if (words.length === 0) {
    // Correction words alone ("sorry", "no, actually"): the correction may follow.
    return isCorrection ? { kind: "stop", expectsCorrection: true } : { kind: "empty" };
  }
  if (STOP_PHRASES.has(words.join(" "))) {
    return { kind: "stop" };
  }
  words = stripMannerClause(words);
  const swap = splitInsteadOf(words);
  if (swap !== undefined) {
    return { kind: "command", expression: swap.target.join(" "), isCorrection: true, rejected: swap.rejected.join(" ") };
  }
  if (words.length > 1 && words[words.length - 1] === "instead") {
    // "the blue one instead" replaces the current object.
    words = words.slice(0, -1);
    isCorrection = true;
  }
  // What a self-repair took back ("the apple, no wait, the plate"), if anything.
  const rejected = repair.rejected === undefined ? "" : stripCommandWords(stripCorrectionWords(stripPoliteness(repair.rejected))).join(" ");
  const rejectedField = rejected === "" ? {} : { rejected };
  const exclusion = splitExclusion(words);
  if (exclusion !== undefined) {
    return { kind: "command", expression: exclusion.target.join(" "), isCorrection, excluded: exclusion.excluded.join(" "), ...rejectedField };
  }
  if (hasNegation(words)) {
    return { kind: "stop", negation: true };
  }
  if (isStatement(words)) {
    return { kind: "empty", question: true };
  }
  if (onlyPoints(words)) {
    // A correction still rejects the current object, so the robot must not go on with it.
    return isCorrection ? { kind: "stop", pointing: true } : { kind: "empty", pointing: true };
  }
  return { kind: "command", expression: words.join(" "), isCorrection, ...rejectedField };
}

/**
 * Applies a self-repair inside one utterance: "the apple, no wait, the plate" and "the
 * red mug sorry the blue one" keep what follows the last correction mark, and return what
 * precedes it as `rejected`. A mark between clauses is any clause that only stops or
 * corrects. Without punctuation only the marks in SELF_REPAIR_MARKS count, because a
 * lone "no" or "wait" inside a phrase is ambiguous.
 */
function selfRepair(clauses: string[][]): { clauses: string[][]; rejected?: string[] } {
  for (let index = clauses.length - 2; index >= 1; index -= 1) {
    const clause = stripPoliteness(clauses[index] as string[]);
    if (clause.length > 0 && isStopOrCorrection(clause)) {
      return { clauses: clauses.slice(index + 1), rejected: clauses.slice(0, index).flat() };
    }
  }
  const words = clauses.flat();
  for (let index = words.length - 2; index >= 1; index -= 1) {
    const rest = stripPrefix(words.slice(index), SELF_REPAIR_MARKS);
    if (rest !== undefined && rest.length > 0) {
      return { clauses: [rest], rejected: words.slice(0, index) };
    }
  }
  return { clauses };
}

/** Splits raw text at punctuation and dashes into normalised clauses, dropping empty ones. */
function splitClauses(text: string): string[][] {
  return text
    .split(/[,;.!?:]+|\s[-\u2013\u2014]+\s/)
    .map(normaliseWords)
    .filter((clause) => clause.length > 0);
}

/** Reports whether a clause only stops or marks a correction ("no", "never mind", "sorry"). */
function isStopOrCorrection(clause: string[]): boolean {
  if (STOP_PHRASES.has(clause.join(" "))) {
    return true;
  }
  return stripCorrectionWords(clause).length === 0;
}

/** Removes every leading correction phrase ("no wait", "sorry i mean"). */
function stripCorrectionWords(words: string[]): string[] {
  let rest = words;
  // "rather than X" and "instead of X" reject X, so their first word is no correction mark.
  while (stripPrefix(rest, ["rather than", "instead of"]) === undefined) {
    const next = stripPrefix(rest, CORRECTION_PREFIXES);
    if (next === undefined) {
      break;
    }
    // Without a comma, "no red mug" and "no need for the bowl" negate: "no" marks a
    // correction only before an article, a pointing word or another lead ("no the blue one").
    const bareNo = (rest[0] === "no" || rest[0] === "nope") && rest.length - next.length === 1;
    if (bareNo && next.length > 0 && !startsNewPhrase(next)) {
      break;
    }
    rest = next;
  }
  return rest;
}

const PHRASE_STARTS = new Set(["the", "a", "an", ...POINTING_WORDS]);
const ARTICLE_STARTS = new Set(["the", "a", "an"]);

/** Sequence words before a command verb: "first grab the mug", "second, take the bowl". */
const SEQUENCE_WORDS = new Set(["first", "firstly", "second", "secondly", "third", "last", "lastly"]);

/** Reports whether `words` start with an article, a pointing word, or a correction or command lead. */
function startsNewPhrase(words: string[]): boolean {
  return PHRASE_STARTS.has(words[0] as string) || stripPrefix(words, CORRECTION_PREFIXES) !== undefined || stripPrefix(words, COMMAND_PREFIXES) !== undefined;
}

/** Reports whether an expression states something about its object ("the red can is hot"). */
function isStatement(words: string[]): boolean {
  return words.some((word, index) => index > 0 && STATEMENT_VERBS.has(word) && !RELATIVE_WORDS.has(words[index - 1] as string));
}

function onlyPoints(words: readonly string[]): boolean {
  return words.every((word) => POINTING_WORDS.has(word));
}

function hasNegation(words: readonly string[]): boolean {
  return words.some((word) => NEGATION_WORDS.has(word) || word.endsWith("n't"));
}

/**
 * Splits "the red can but leave the green cup" or "any mug except the blue one" into the
 * object to take and the object left out. Returns undefined when the text has no such
 * split, or when either side is empty or negates again.
 */
function splitExclusion(words: string[]): { target: string[]; excluded: string[] } | undefined {
  for (let index = 1; index < words.length - 1; index += 1) {
    const joined = words[index] === "but" || words[index] === "and";
    const after = joined ? stripPrefix(words.slice(index + 1), EXCLUDING_LEADS) : undefined;
    const rest = after ?? stripPrefix(words.slice(index), EXCEPTING_LEADS);
    if (rest === undefined) {
      continue;
    }
    const target = words.slice(0, index);
    // "leave the green cup alone", "leave the green cup where it is".
    const excluded = stripSuffix(rest, ["alone", "where it is", "there"]) ?? rest;
    if (excluded.length === 0 || hasNegation(target) || hasNegation(excluded)) {
      return undefined;
    }
    return { target, excluded };
  }
  return undefined;
}

/** Splits "the bowl instead of the mug" or "the bowl rather than the mug" into what to take and what it replaces. */
function splitInsteadOf(words: string[]): { target: string[]; rejected: string[] } | undefined {
  for (let index = 1; index < words.length - 2; index += 1) {
    const rest = stripPrefix(words.slice(index), ["instead of", "rather than"]);
    if (rest !== undefined && !hasNegation(rest) && !hasNegation(words.slice(0, index))) {
      return { target: words.slice(0, index), rejected: rest };
    }
  }
  return undefined;
}

/**
 * Removes a last clause about how to handle the object ("but don't drop it", "and do not
 * spill it"): it names no other object.
 */
function stripMannerClause(words: string[]): string[] {
  const last = words[words.length - 1];
  if (last !== "it" && last !== "them") {
    return words;
  }
  for (let index = words.length - 3; index >= 1; index -= 1) {
    if (words[index] !== "but" && words[index] !== "and") {
      continue;
    }
    const rest = stripPrefix(words.slice(index + 1), ["don't", "do not", "dont", "never"]);
    // One verb, then "it": "but don't drop it".
    if (rest !== undefined && rest.length === 2) {
      return words.slice(0, index);
    }
  }
  return words;
}

/** Verbs that start the alternative after a rejected phrase without punctuation. */
const ALTERNATIVE_VERBS = new Set(["take", "grab", "get", "pick", "use"]);

/**
 * Parses what follows a rejecting lead: "not the red mug, the blue one" or "don't take
 * the cup but the bowl" corrects to the second phrase, and records the first as
 * `rejected`. Without a second phrase it is a stop: the speaker rejected an object
 * without naming another.
 */
function parseRejection(lead: string, rejecting: string[], laterClauses: string[][]): ParsedTranscript {
  if (PROHIBITING_LEADS.has(lead) && laterClauses.length === 0 && stripCommandWords(rejecting).length === 0) {
    return { kind: "stop", forbidsNext: true };
  }
  let rejected = rejecting;
  let alternative = laterClauses.flat();
  // Without punctuation, "but" or a second command verb starts the alternative: "not the
  // cup but the bowl", "instead of the cup take the bowl".
  // A verb starts the alternative only after an object: in "don't you dare grab the mug" the
  // words before "grab" name nothing, so the mug is what is forbidden.
  const split = rejecting.findIndex((word, index) => word === "but" || (index > 0 && ALTERNATIVE_VERBS.has(word) && rejecting.slice(0, index).some((earlier) => PHRASE_STARTS.has(earlier))));
  if (alternative.length === 0 && split >= 0) {
    rejected = rejecting.slice(0, split);
    alternative = rejecting.slice(rejecting[split] === "but" ? split + 1 : split);
  }
  const expression = stripCommandWords(stripCorrectionWords(alternative));
  if (expression.length === 0 || STOP_PHRASES.has(expression.join(" "))) {
    return { kind: "stop" };
  }
  if (hasNegation(expression)) {
    // "not the red mug, not the blue one" rejects twice and names nothing to take.
    return { kind: "stop" };
  }
  if (onlyPoints(expression)) {
    return { kind: "stop", pointing: true };
  }
  const named = stripCommandWords(rejected).join(" ");
  return { kind: "command", expression: expression.join(" "), isCorrection: true, ...(named === "" ? {} : { rejected: named }) };
}

/**
 * Explains why a transcript that parsed to "empty" or "stop" names no object, for messages
 * such as `--text "uh" contains no referring expression`.
 */
export function noExpressionReason(text: string, parsed: Exclude<ParsedTranscript, { kind: "command" }>): string {
  if (parsed.kind === "resume") {
    return "asks to resume an earlier command and names no object";
  }
  if (parsed.kind === "empty" && parsed.question === true) {
    return "is a question or statement about an object, not a request";
  }
  if (parsed.kind === "stop" && parsed.forbidsNext === true) {
    return "forbids an object without naming it, so it was taken as a stop";
  }
  if (parsed.pointing === true) {
    const outcome = parsed.kind === "stop" ? ", so it was taken as a stop" : "";
    return `points at an object ("it", "that one") without naming it, and the model cannot see where you point${outcome}`;
  }
  if (parsed.kind === "stop") {
    return parsed.negation === true
      ? "negates part of the expression, which the model cannot follow, so it was taken as a stop"
      : "stops or forbids rather than requests an object, so it was taken as a stop";
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
  // "the mug all the way on the left" means the mug on the left; its second "the" would
  // otherwise read as a second object.
  for (const raw of cleaned.replace(/\ball the way\b/g, " ").split(" ")) {
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

const POLITE_LEADS = ["please", "okay", "ok", ...GREETINGS, "hey", "robot", ...ACKNOWLEDGEMENTS];

function stripPoliteness(words: string[]): string[] {
  let rest = words;
  for (;;) {
    const next = stripPrefix(rest, POLITE_LEADS) ?? stripSuffix(rest, TRAILING_SUFFIXES);
    if (next === undefined) {
      return rest;
    }
    rest = next;
  }
}

function stripCommandWords(words: string[]): string[] {
  let rest = words;
  if (SEQUENCE_WORDS.has(rest[0] as string) && stripPrefix(rest.slice(1), COMMAND_PREFIXES) !== undefined) {
    rest = rest.slice(1);
  }
  let placing = false;
  let commanded = false;
  for (let next = stripPrefix(rest, COMMAND_PREFIXES); next !== undefined; next = stripPrefix(rest, COMMAND_PREFIXES)) {
    placing ||= PLACING_VERBS.has(rest[0] as string);
    commanded = true;
    rest = next;
  }
  if (placing) {
    rest = withoutDestination(rest);
  }
  for (;;) {
    const next = stripSuffix(rest, TRAILING_SUFFIXES) ?? (commanded ? withoutBackParticle(rest) : undefined);
    if (next === undefined) {
      return rest;
    }
    rest = next;
  }
}

/** Words before "back" that make it the position "at the back" rather than a verb particle. */
const BACK_POSITION_LEADS = new Set(["the", "at", "in", "on", "to", "toward", "towards"]);

/**
 * Drops a "back" that belongs to the verb, with any destination after it ("bring the mug
 * back", "put the cup back on the shelf"): it names where the object goes, and the model
 * would read it as the position "at the back".
 */
function withoutBackParticle(words: string[]): string[] | undefined {
  const at = words.lastIndexOf("back");
  if (at < 1 || BACK_POSITION_LEADS.has(words[at - 1] as string)) {
    return undefined;
  }
  return at === words.length - 1 || DESTINATION_STARTS.has(words[at + 1] as string) ? words.slice(0, at) : undefined;
}

/**
 * Cuts the destination of a placing verb: the last place phrase, as in "the apple in the
 * bowl" or "the mug on the left next to the plate". The object keeps at least two words.
 */
function withoutDestination(words: string[]): string[] {
  for (let index = words.length - 1; index >= 2; index -= 1) {
    if (!DESTINATION_STARTS.has(words[index] as string)) {
      continue;
    }
    // "next to" and "close to" start where their first word does.
    const start = words[index] === "to" && (words[index - 1] === "next" || words[index - 1] === "close") ? index - 1 : index;
    return start >= 2 ? words.slice(0, start) : words;
  }
  return words;
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
