/**
 * Plural object nouns in a spoken command. "grab one of the apples" requests one apple, but
 * the model's vocabulary contains the singular nouns of its training data only, so "apples"
 * would reach it as an unknown word. The stream, `ground` and the ground service rewrite
 * the plurals of the manifest's object nouns to the singular before encoding.
 */
import { headWords, nounAt, type NounList } from "./object-nouns";

/** Regular English plurals of one word: cups, boxes, dishes, berries, knives, tomatoes. */
function pluralsOf(word: string): string[] {
  if (/(s|x|z|ch|sh)$/.test(word)) {
    return [`${word}es`];
  }
  if (/[^aeiou]y$/.test(word)) {
    return [`${word.slice(0, -1)}ies`];
  }
  if (/fe?$/.test(word)) {
    return [`${word}s`, `${word.replace(/fe?$/, "")}ves`];
  }
  if (word.endsWith("o")) {
    return [`${word}s`, `${word}es`];
  }
  return [`${word}s`];
}

/** Plural phrases, as words, with the singular noun each stands for, longest first. */
interface PluralForm {
  plural: readonly string[];
  noun: readonly string[];
}

const formsByList = new WeakMap<NounList, PluralForm[]>();

function pluralForms(nouns: NounList): PluralForm[] {
  let forms = formsByList.get(nouns);
  if (forms === undefined) {
    // Only the last word of a compound takes the plural: "soda cans".
    forms = nouns.flatMap((noun) => pluralsOf(noun[noun.length - 1] as string).map((last) => ({ plural: [...noun.slice(0, -1), last], noun })));
    forms.sort((a, b) => b.plural.length - a.plural.length);
    formsByList.set(nouns, forms);
  }
  return forms;
}

/** Quantifiers that request one of several objects ("one of the apples", "any of those"). */
const ONE_OF = new Set(["one", "any", "either", "some"]);

/** Plural determiners, which become "the" once their noun is singular. */
const PLURAL_DETERMINERS = new Set(["these", "those"]);

/**
 * Returns `expression` with plural object nouns made singular: "one of the red apples"
 * gives "the red apple", and "those bowls" gives "the bowl". Returns null when the
 * expression has no plural of a known noun.
 */
export function singularNouns(expression: string, nouns: NounList): string | null {
  const words = expression.split(" ");
  const forms = pluralForms(nouns);
  const out: string[] = [];
  let changed = false;
  for (let index = 0; index < words.length; ) {
    const form = forms.find(({ plural }) => plural.every((word, offset) => words[index + offset] === word));
    if (form === undefined) {
      out.push(words[index] as string);
      index += 1;
      continue;
    }
    out.push(...form.noun);
    index += form.plural.length;
    changed = true;
  }
  if (!changed) {
    return null;
  }
  const singular = out.map((word) => (PLURAL_DETERMINERS.has(word) ? "the" : word));
  // "one of the apples" means one apple, which the training data words as "the apple".
  if (singular.length > 2 && ONE_OF.has(singular[0] as string) && singular[1] === "of") {
    singular.splice(0, 2);
  } else if (singular.length > 3 && ONE_OF.has(singular[0] as string) && singular[1] === "one" && singular[2] === "of") {
    // "any one of the mugs".
    singular.splice(0, 3);
  }
  return singular.join(" ");
}

/** Determiners the training data never uses. "the" requests one object just as well. */
const INDEFINITE = new Set(["a", "an", "any", "some"]);

/**
 * Returns `expression` with "a", "an" and "any" before a word replaced by "the": "grab a
 * bowl" requests one bowl, and the model only learned "the".
 */
export function definiteArticles(expression: string): string {
  const words = expression.split(" ");
  return words.map((word, index) => (INDEFINITE.has(word) && index < words.length - 1 ? "the" : word)).join(" ");
}

/**
 * Words that ask for more than one object when they come before the object noun: "all the
 * bowls", "both mugs", "two of the apples". "one of", "any of" and "some of" ask for one.
 */
/** Generic heads in the plural: "the ones on the left", "the red things". */
const PLURAL_GENERIC_HEADS = new Set(["ones", "things", "objects", "items"]);

const SEVERAL = new Set(["all", "both", "every", "each", "several", "many", "few", "couple", "pair", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]);

/**
 * Returns the words of an expression's head that ask for several objects ("all the bowls",
 * "those mugs", "two apples"), or null. The node grounds one object per command, and
 * grounding one of them without a word would let a robot act on a request it only partly
 * understood. Plurals after the head ("the apple between the bowls") are landmarks.
 */
export function severalObjects(expression: string, nouns: NounList): string | null {
  const head = headWords(expression);
  const forms = pluralForms(nouns);
  for (let index = 0; index < head.length; index += 1) {
    if (SEVERAL.has(head[index] as string) || PLURAL_GENERIC_HEADS.has(head[index] as string)) {
      return head.join(" ");
    }
    if (forms.some(({ plural }) => plural.every((word, offset) => head[index + offset] === word))) {
      return head.join(" ");
    }
    if (nounAt(head, index, nouns) !== undefined) {
      // Words after the singular noun describe it ("the mug all the way left").
      return null;
    }
  }
  return null;
}
