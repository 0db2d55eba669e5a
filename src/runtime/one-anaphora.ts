/**
 * "One" in a follow-up command: after "the silver plate", "no, the orange one" means "the
 * orange plate". The model was trained on expressions that name their object, so the
 * stream writes the previous command's object noun in place of "one" before encoding.
 */

/** Object nouns split into words, longest first, so that "soda can" wins over "can". */
export type NounList = readonly (readonly string[])[];

export function nounList(objectNouns: readonly string[]): NounList {
  return objectNouns.map((noun) => noun.split(" ")).sort((a, b) => b.length - a.length);
}

/** Returns the noun that starts at `words[index]`, if any. */
function nounAt(words: readonly string[], index: number, nouns: NounList): readonly string[] | undefined {
  return nouns.find((noun) => noun.every((word, offset) => words[index + offset] === word));
}

/** Returns the first object noun of an expression, its head in "the plate in front of the apple". */
export function headNoun(expression: string, nouns: NounList): readonly string[] | undefined {
  const words = expression.split(" ");
  for (let index = 0; index < words.length; index += 1) {
    const noun = nounAt(words, index, nouns);
    if (noun !== undefined) {
      return noun;
    }
  }
  return undefined;
}

/**
 * Returns `expression` with its "one" (or "ones") replaced by the head noun of `previous`.
 * Returns null when there is nothing to replace. That is the case when the expression
 * names an object before its "one", when "one" is a number ("one apple", "one red
 * apple"), or when `previous` names no object. Both texts are
 * normalised transcripts: lowercase words separated by single spaces.
 */
export function resolveOneAnaphora(expression: string, previous: string, nouns: NounList): string | null {
  const noun = headNoun(previous, nouns);
  if (noun === undefined) {
    return null;
  }
  const words = expression.split(" ");
  for (let index = 0; index < words.length; index += 1) {
    if (nounAt(words, index, nouns) !== undefined) {
      return null;
    }
    if (words[index] === "one" || words[index] === "ones") {
      // A leading "one" counts ("one red apple"); the pronoun follows a word ("the red one").
      if (index === 0 || nounAt(words, index + 1, nouns) !== undefined) {
        return null;
      }
      return [...words.slice(0, index), ...noun, ...words.slice(index + 1)].join(" ");
    }
  }
  return null;
}
