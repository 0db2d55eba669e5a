/**
 * Word lists of transcript parsing (transcript.ts). Phrases are lowercase words as
 * normaliseWords writes them, separated by single spaces. Where a list is matched as a
 * prefix, longer phrases come before the phrases they start with.
 */

export const FILLERS = new Set(["uh", "uhh", "um", "umm", "uhm", "er", "erm", "ah", "hmm", "hm", "mm", "mhm"]);

/**
 * Whole-transcript stop phrases, matched after fillers and politeness words are removed.
 * A bare "no" counts as a stop because it rejects the current command without a new one.
 */
export const STOP_PHRASES = new Set([
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
  "no thanks",
  "not now",
  // Pauses and disapproval: the robot must not go on with the current command.
  "wait",
  "wait a second",
  "wait a sec",
  "hold on",
  "hang on",
  "hang on a second",
  "hang on a sec",
  "one second",
  "one sec",
  "just a second",
  "just a sec",
  "a second",
  "that's wrong",
  "thats wrong",
  "that is wrong",
  "that's the wrong one",
  "wrong",
  "wrong one",
  "my mistake",
]);

/**
 * Leading words that cancel or reject what follows them ("don't grab the red mug",
 * "never mind the red mug", "not the red mug"). Without a second phrase the text is a
 * stop, and "not the red mug, the blue one" corrects to the second phrase. Longer first.
 */
export const REJECTING_LEADS = [
  "do not",
  "don't",
  "dont",
  "never mind",
  "nevermind",
  "not",
  "cancel",
  "stop",
  "forget",
  "leave",
  "drop",
  "ignore",
  "abort",
  "halt",
];

/**
 * Words that negate part of an expression, which the model cannot follow. "the other one"
 * and "a different mug" exclude the object in view, which the model would pick again.
 */
export const NEGATION_WORDS = new Set([
  "not",
  "no",
  "except",
  "besides",
  "apart",
  "but",
  "non",
  "without",
  "never",
  "nor",
  "neither",
  "isnt",
  "arent",
  "dont",
  "doesnt",
  "other",
  "another",
  "different",
  "else",
]);

/** Leading phrases that mark a correction of the previous command, longest first. */
export const CORRECTION_PREFIXES = [
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
export const COMMAND_PREFIXES = [
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
export const TRAILING_SUFFIXES = ["thank you", "thanks", "please", "for me", "now", "up"];

export const ORDINAL_WORDS: Record<string, string> = {
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

export const NUMBER_WORDS = [
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
