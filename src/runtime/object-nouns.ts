/**
 * The manifest's object nouns and the head of an expression: which object it names. Used
 * to resolve "one" in corrections, to make plurals singular, and to reject expressions
 * that name no object the model was trained on.
 */
import { distance } from "fastest-levenshtein";

import { hasNoKnownWord } from "./tokenizer";

/** Object nouns split into words, longest first, so that "soda can" wins over "can". */
export type NounList = readonly (readonly string[])[];

export function nounList(objectNouns: readonly string[]): NounList {
  return objectNouns.map((noun) => noun.split(" ")).sort((a, b) => b.length - a.length);
}

/** Words that name no category but can head an expression ("the red thing"). */
export const GENERIC_HEADS = new Set(["one", "ones", "thing", "things", "object", "objects", "item", "items"]);

/**
 * Words that end the head of an expression: prepositions that start a relation or a
 * position ("the mug next to the bowl", "the plate in front of the apple").
 */
export const PHRASE_ENDS = new Set(["of", "to", "in", "on", "at", "near", "next", "behind", "beside", "between", "from", "above", "below", "under", "by", "with"]);

/** Returns the noun that starts at `words[index]`, if any. */
export function nounAt(words: readonly string[], index: number, nouns: NounList): readonly string[] | undefined {
  return nouns.find((noun) => noun.every((word, offset) => words[index + offset] === word));
}

/**
 * Returns the object noun that heads an expression: "plate" in "the plate in front of the
 * apple". Returns undefined when the head is generic ("the red thing left of the bowl")
 * or no noun comes before the first relation word.
 */
export function headNoun(expression: string, nouns: NounList): readonly string[] | undefined {
  const words = expression.split(" ");
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] as string;
    if (GENERIC_HEADS.has(word) || PHRASE_ENDS.has(word)) {
      return undefined;
    }
    const noun = nounAt(words, index, nouns);
    if (noun !== undefined) {
      return noun;
    }
  }
  return undefined;
}

/** Returns the words of an expression before its first relation word: the part that names the object. */
export function headWords(expression: string): string[] {
  const words = expression.split(" ");
  const end = words.findIndex((word) => PHRASE_ENDS.has(word));
  return end < 0 ? words : words.slice(0, end);
}

/** Ordinal words, which pick an object by counting ("the third from the left"). */
export const ORDINALS = new Set(["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "last"]);

/**
 * Reports whether an expression names an object the model can look for. Before its first
 * relation word it needs one of the model's nouns, a generic head ("one", "thing"), an
 * ordinal, or a superlative the vocabulary has ("the biggest", "the leftmost").
 */
export function namesObject(expression: string, nouns: NounList, unknownWords: readonly string[]): boolean {
  const head = headWords(expression);
  const unknown = new Set(unknownWords);
  return head.some((word, index) => {
    const superlative = /(est|most)$/.test(word) && !unknown.has(word);
    return GENERIC_HEADS.has(word) || ORDINALS.has(word) || superlative || nounAt(head, index, nouns) !== undefined;
  });
}

/**
 * Returns a compound noun such as "can opener" or "cup holder": a known noun followed by
 * an unknown word inside the head. The model would ground the can or the cup. Returns null
 * when there is none.
 */
function compoundAfterNoun(expression: string, nouns: NounList, unknownWords: readonly string[]): string | null {
  const head = headWords(expression);
  const index = head.findIndex((_, start) => nounAt(head, start, nouns) !== undefined);
  if (index < 0) {
    return null;
  }
  const noun = nounAt(head, index, nouns) as readonly string[];
  const next = head[index + noun.length];
  return next !== undefined && unknownWords.includes(next) ? [...noun, next].join(" ") : null;
}

/**
 * Finds a description made only of unknown words ("the reddish mug"). The model skips
 * them, so it would pick any mug. With a known word left ("the shiny red mug", "the shiny
 * mug on the left") the description still narrows the choice, and the caller warns about
 * the unknown word. Returns null when something of the description is known.
 */
function unknownModifier(expression: string, nouns: NounList, unknownWords: readonly string[]): Ungroundable | null {
  const head = headWords(expression);
  const nounIndex = head.findIndex((word, index) => GENERIC_HEADS.has(word) || nounAt(head, index, nouns) !== undefined);
  if (nounIndex < 0 || unknownWords.length === 0) {
    return null;
  }
  const unknown = new Set(unknownWords);
  const modifiers = head.slice(0, nounIndex).filter((word) => unknown.has(word) && !ARTICLES.has(word) && !DEMONSTRATIVES.has(word));
  const nounWords = new Set(nouns.flat());
  // Every word but articles and the noun, so "on the left" after the noun counts too.
  const describing = expression.split(" ").filter((word) => !ARTICLES.has(word) && !DEMONSTRATIVES.has(word) && !nounWords.has(word) && !GENERIC_HEADS.has(word));
  if (modifiers.length === 0 || describing.some((word) => !unknown.has(word))) {
    return null;
  }
  const noun = GENERIC_HEADS.has(head[nounIndex] as string) ? "object" : (nounAt(head, nounIndex, nouns) as readonly string[]).join(" ");
  return {
    reason: "unknown_modifier",
    explanation: `describes the ${noun} only with ${modifiers.map((word) => JSON.stringify(word)).join(", ")}, which the model does not know and would skip, leaving any ${noun} a match`,
  };
}

const ARTICLES = new Set(["the", "a", "an"]);
const DEMONSTRATIVES = new Set(["this", "that", "any"]);

/**
 * Words that describe nothing on their own: articles, pointing words, relation words, and
 * the pronouns and verbs of spoken requests, which training saw in spoken commands.
 */
const UNDESCRIPTIVE = new Set([
  ...ARTICLES,
  ...DEMONSTRATIVES,
  ...GENERIC_HEADS,
  ...PHRASE_ENDS,
  ...["these", "those", "it", "them"],
  ...["i", "you", "me", "we", "us", "my", "your", "want", "need", "like", "just", "please", "is", "are", "was", "that's", "it's"],
]);

/**
 * Rejects a generic head ("the one", "the thing") that no trained word describes:
 * "the one with the handle" or "the thing i want" would ground any object. A colour, size,
 * position, ordinal or landmark noun is enough ("the red one", "the one left of the bowl").
 */
function vagueGenericHead(expression: string, nouns: NounList, unknownWords: readonly string[]): Ungroundable | null {
  const head = headWords(expression);
  const generic = head.findIndex((word, index) => GENERIC_HEADS.has(word) || nounAt(head, index, nouns) !== undefined);
  if (generic < 0 || !GENERIC_HEADS.has(head[generic] as string)) {
    return null;
  }
  const unknown = new Set(unknownWords);
  if (expression.split(" ").some((word) => !UNDESCRIPTIVE.has(word) && !unknown.has(word))) {
    return null;
  }
  return {
    reason: "no_known_object",
    explanation: "names no kind of object and nothing the model knows about it, leaving any object a match",
  };
}

/**
 * Finds a relation word the model does not know ("the bowl below the red mug"). The model
 * would skip it and could pick either object, with a high score. Returns null when every
 * relation word is known.
 */
function unknownRelation(expression: string, unknownWords: readonly string[]): Ungroundable | null {
  const unknown = new Set(unknownWords);
  const relation = expression.split(" ").find((word) => PHRASE_ENDS.has(word) && unknown.has(word));
  if (relation === undefined) {
    return null;
  }
  return {
    reason: "unknown_modifier",
    explanation: `uses the relation ${JSON.stringify(relation)}, which the model does not know and would skip, and could then pick the other object`,
  };
}

/** Counts the object nouns in an expression's head, each phrase once ("the soda can" has one). */
function headNounCount(expression: string, nouns: NounList): number {
  const head = headWords(expression);
  let count = 0;
  for (let index = 0; index < head.length; ) {
    const noun = nounAt(head, index, nouns);
    count += noun === undefined ? 0 : 1;
    index += noun === undefined ? 1 : noun.length;
  }
  return count;
}

/** Why an encoded expression cannot be grounded: a rejection reason and the words for a message. */
export interface Ungroundable {
  reason: "no_known_words" | "unknown_lead_words" | "several_objects" | "unknown_modifier" | "no_known_object";
  /** Completes "Expression X ...". */
  explanation: string;
}


/**
 * Finds what in an expression's head, before its first relation word, keeps it from
 * naming one object: unknown words before the first article, which may be a verb that
 * forbids the object ("avoid the red mug"), or a second article ("the knife, the red
 * one", "the mug and the bowl").
 */
function headProblem(expression: string, unknownWords: readonly string[]): Ungroundable | null {
  const head = headWords(expression);
  const unknown = new Set(unknownWords);
  const firstArticle = head.findIndex((word) => ARTICLES.has(word));
  const leading = firstArticle < 0 ? [] : head.slice(0, firstArticle).filter((word) => unknown.has(word));
  if (leading.length > 0) {
    return {
      reason: "unknown_lead_words",
      explanation: `starts with ${leading.map((word) => JSON.stringify(word)).join(", ")}, which the model does not know, so what to do with the object is unclear`,
    };
  }
  if (head.filter((word) => ARTICLES.has(word)).length > 1) {
    return { reason: "several_objects", explanation: "names more than one object" };
  }
  return null;
}

/**
 * Explains why an encoded expression cannot be grounded, or returns null when it can. The
 * vocabulary also contains common English words the model never saw in training ("knife",
 * "enough"). Grounding those would return the best-scoring box of some other object, and
 * a robot would act on it. A model whose manifest lists no nouns is not checked for
 * unknown objects.
 */
export function checkGroundable(expression: string, unknownWords: readonly string[], objectNouns: readonly string[]): Ungroundable | null {
  if (hasNoKnownWord(expression, unknownWords)) {
    return { reason: "no_known_words", explanation: "has no word the model knows" };
  }
  const problem = headProblem(expression, unknownWords);
  if (problem !== null) {
    return problem;
  }
  if (objectNouns.length === 0) {
    return null;
  }
  const nouns = nounList(objectNouns);
  if (headNounCount(expression, nouns) > 1) {
    // "the mug and bowl", or "the apple er banana" once the filler is gone.
    return { reason: "several_objects", explanation: "names more than one object" };
  }
  const modifier = unknownModifier(expression, nouns, unknownWords);
  if (modifier !== null) {
    return modifier;
  }
  const compound = compoundAfterNoun(expression, nouns, unknownWords);
  if (compound !== null) {
    return { reason: "no_known_object", explanation: `names ${JSON.stringify(compound)}, which is not an object the model knows (${objectNouns.join(", ")})` };
  }
  if (namesObject(expression, nouns, unknownWords)) {
    return vagueGenericHead(expression, nouns, unknownWords) ?? unknownRelation(expression, unknownWords);
  }
  const guesses = nounGuesses(expression, nouns);
  const guessed = guesses.length === 0 ? "" : `; ${guesses.join(", ")}`;
  return { reason: "no_known_object", explanation: `names no object the model knows (${objectNouns.join(", ")}, or "the red one"${guessed})` };
}

/**
 * Lists the head words that are one or two letters away from an object noun, as "\"apel\"
 * may be \"apple\"": speech recognisers mishear nouns ("mud" for "mug"), and the speaker
 * learns what to repeat. The guess is never grounded, because "bandana" is not a banana.
 */
function nounGuesses(expression: string, nouns: NounList): string[] {
  const singleWords = nouns.filter((noun) => noun.length === 1).map((noun) => noun[0] as string);
  return headWords(expression).flatMap((word) => {
    if (ARTICLES.has(word) || GENERIC_HEADS.has(word)) {
      return [];
    }
    // Two changes to a three-letter word leave one letter standing: "mud" is that close to "cup".
    const limit = word.length <= 3 ? 1 : 2;
    const distances = singleWords.map((noun) => ({ noun, letters: distance(word, noun) })).filter(({ letters }) => letters > 0 && letters <= limit);
    const nearest = Math.min(...distances.map(({ letters }) => letters));
    const close = distances.filter(({ letters }) => letters === nearest).map(({ noun }) => JSON.stringify(noun));
    // More than two equally close nouns ("bole": ball, book, bowl, box) are no useful guess.
    return close.length === 0 || close.length > 2 ? [] : [`${JSON.stringify(word)} may be ${close.join(" or ")}`];
  });
}
