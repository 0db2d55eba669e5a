/**
 * "One" in a spoken correction: after "the silver plate", "no, the orange one" means "the
 * orange plate". The model reads "the orange one" as any orange object, as in its training
 * data, so the stream writes the corrected command's object noun in place of "one" before
 * encoding.
 */
import { GENERIC_HEADS, headNoun, nounAt, nounList, ORDINALS, PHRASE_ENDS, type NounList } from "./object-nouns";
import { definiteArticles, singularNouns } from "./plural-nouns";

/** Reports whether the "one" at `index` counts objects ("one apple", "the one red apple"). */
function isNumber(words: readonly string[], index: number, nouns: NounList): boolean {
  if (index === 0) {
    return true;
  }
  for (let next = index + 1; next < words.length && !PHRASE_ENDS.has(words[next] as string); next += 1) {
    if (nounAt(words, next, nouns) !== undefined) {
      return true;
    }
  }
  return false;
}


/**
 * Keeps the direction an ordinal counts in: after "the second apple from the left",
 * "actually the third one" means the third apple from the left.
 */
function withCountingDirection(words: string[], previous: string): string[] {
  const direction = /\bfrom the (left|right|front|back)\b/.exec(previous);
  if (direction === null || !words.some((word) => ORDINALS.has(word)) || words.includes("from")) {
    return words;
  }
  return [...words, ...direction[0].split(" ")];
}

/**
 * Returns `expression` with its "one" (or "ones") replaced by the head noun of `previous`.
 * Returns null when there is nothing to replace. That is the case when the expression
 * names an object before its "one", when "one" counts ("one apple", "the one red
 * apple"), or when `previous` has no object noun as its head.
 */
export function resolveOneAnaphora(expression: string, previous: string, nouns: NounList): string | null {
  const noun = headNoun(previous, nouns);
  if (noun === undefined) {
    return null;
  }
  const words = expression.split(" ");
  // "no, the third" ends at its ordinal and means "the third one".
  if (ORDINALS.has(words[words.length - 1] as string)) {
    words.push("one");
  }
  for (let index = 0; index < words.length; index += 1) {
    if (nounAt(words, index, nouns) !== undefined) {
      return null;
    }
    if (words[index] === "one" || words[index] === "ones") {
      if (isNumber(words, index, nouns)) {
        return null;
      }
      return withCountingDirection([...words.slice(0, index), ...noun, ...words.slice(index + 1)], previous).join(" ");
    }
  }
  return null;
}

/** Determiners that may come before a noun without describing the object. */
const DETERMINERS = new Set(["the", "a", "an", "that", "this", "any"]);

/**
 * Returns `expression` with its "one" read from the phrase the speaker rejected, or null.
 * "not the red mug, the orange one" gives "the orange mug". A phrase that names only the
 * category ("not the bowl, the blue one") rejects the category, so its noun is not taken.
 */
export function resolveFromRejectedPhrase(expression: string, rejected: string, nouns: NounList): string | null {
  const noun = headNoun(rejected, nouns);
  const describing = rejected.split(" ").filter((word) => !DETERMINERS.has(word));
  if (noun === undefined || describing.length <= noun.length) {
    return null;
  }
  return resolveOneAnaphora(expression, rejected, nouns);
}

/**
 * Returns the expression to encode for a command heard without a previous one (`ground`,
 * the ground service): plural object nouns made singular, and "one" read from the
 * rejected phrase.
 */
export function resolveSpokenExpression(expression: string, rejected: string | undefined, objectNouns: readonly string[]): string {
  const nouns = nounList(objectNouns);
  const singular = definiteArticles(singularNouns(expression, nouns) ?? expression);
  if (rejected === undefined) {
    return singular;
  }
  const correction = withImpliedOne(singular, nouns);
  return resolveFromRejectedPhrase(correction, singularNouns(rejected, nouns) ?? rejected, nouns) ?? singular;
}

/**
 * Returns a correction of bare describing words with "one" added: in "the red mug, sorry,
 * blue" the speaker means "the blue one". Returns the expression unchanged when it already
 * has a head, an ordinal or a relation.
 */
export function withImpliedOne(expression: string, nouns: NounList): string {
  const words = expression.split(" ");
  const hasHead = words.some((word, index) => GENERIC_HEADS.has(word) || ORDINALS.has(word) || PHRASE_ENDS.has(word) || nounAt(words, index, nouns) !== undefined);
  if (hasHead) {
    return expression;
  }
  return ["the", ...words.filter((word) => word !== "the"), "one"].join(" ");
}

/**
 * Returns the category that a correction cannot exclude, or null. After "not the bowl",
 * "the blue one" names no category of its own, so the model may pick a blue bowl again.
 */
export function unexcludedCategory(
  expression: string,
  rejected: string | undefined,
  objectNouns: readonly string[],
  synonyms: readonly (readonly string[])[] = [],
): string | null {
  if (rejected === undefined) {
    return null;
  }
  const nouns = nounList(objectNouns);
  const category = headNoun(rejected, nouns);
  if (category === undefined) {
    return null;
  }
  const named = headNoun(expression, nouns);
  // "not the mug, the cup" names the same kind again with nothing new to tell them apart,
  // while "not the red mug, the blue cup" adds "blue".
  const nothingNew = describingWords(expression, nouns).every((word) => describingWords(rejected, nouns).includes(word));
  if (named !== undefined && !(sameKind(named, category, synonyms) && nothingNew)) {
    return null;
  }
  return category.join(" ");
}

/** Reports whether two object nouns name the same kind: equal, or in one synonym group ("cup" and "mug"). */
export function sameKind(a: readonly string[], b: readonly string[], synonyms: readonly (readonly string[])[]): boolean {
  const first = a.join(" ");
  const second = b.join(" ");
  return first === second || synonyms.some((group) => group.includes(first) && group.includes(second));
}

/** Returns the words of an expression that describe its object: all but determiners and object nouns. */
function describingWords(expression: string, nouns: NounList): string[] {
  const nounWords = new Set(nouns.flat());
  return expression.split(" ").filter((word) => !DETERMINERS.has(word) && !nounWords.has(word));
}

/** Completes "Text X ..." for a correction that cannot exclude `category`. */
export function unexcludedCategoryReason(category: string): string {
  return `rejects ${category} without naming another kind of object, so the model could pick a ${category} again`;
}

/**
 * Explains why the model cannot leave out `excluded` ("the mug but not the blue one"), or
 * returns null when it can. The model looks for what the words describe and cannot
 * exclude anything, so leaving out an object works only when it is of another kind than
 * the object asked for ("the red can but leave the green cup").
 */
export function unfollowableExclusion(
  expression: string,
  excluded: string | undefined,
  objectNouns: readonly string[],
  synonyms: readonly (readonly string[])[] = [],
): string | null {
  if (excluded === undefined) {
    return null;
  }
  const nouns = nounList(objectNouns);
  const targetNoun = headNoun(expression, nouns);
  const excludedNoun = headNoun(excluded, nouns);
  if (targetNoun === undefined) {
    return `leaves out ${JSON.stringify(excluded)} but names no kind of object to take, so the model could pick it anyway`;
  }
  if (excludedNoun === undefined || sameKind(targetNoun, excludedNoun, synonyms)) {
    return `leaves out ${JSON.stringify(excluded)}, which is of the same kind as the object to take, and the model cannot exclude one of a kind`;
  }
  return null;
}
