/**
 * The model's tokenizer, identical to the one used in training: lowercase, every character
 * outside [a-z0-9'] becomes a space, split on whitespace, look each word up in the
 * vocabulary (unknown and untrained words map to unkId), then right-pad or truncate to
 * maxTokens.
 */
import type { TokenizerSpec } from "./manifest";

export interface Tokenized {
  /** Exactly maxTokens ids, right-padded with padId. */
  ids: number[];
  /** Words that mapped to unkId, in order of appearance, without repeats. */
  unknownWords: string[];
  /** Words dropped because the text had more than maxTokens words. */
  truncatedWords: number;
}

/** Splits text into the tokenizer's words: lowercase, runs of [a-z0-9'] only. */
export function splitWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9']+/g, " ")
    .split(" ")
    .filter((word) => word !== "");
}

/**
 * Returns true when every word of `expression` is outside the vocabulary, given the unknown
 * words its encoding reported. Such an expression has nothing to ground.
 */
export function hasNoKnownWord(expression: string, unknownWords: readonly string[]): boolean {
  const unknown = new Set(unknownWords);
  const words = splitWords(expression);
  return words.length > 0 && words.every((word) => unknown.has(word));
}

export class Tokenizer {
  private readonly ids: Map<string, number>;

  constructor(private readonly spec: TokenizerSpec) {
    // An untrained word's embedding is noise: the unknown id, which training saw, is better.
    const untrained = new Set(spec.untrainedWords);
    this.ids = new Map(spec.vocab.flatMap((word, id): Array<[string, number]> => (untrained.has(word) ? [] : [[word, id]])));
  }

  tokenize(text: string): Tokenized {
    const words = splitWords(text);

    const ids: number[] = [];
    const unknown = new Set<string>();
    for (const word of words.slice(0, this.spec.maxTokens)) {
      const id = this.ids.get(word);
      if (id === undefined) {
        unknown.add(word);
      }
      ids.push(id ?? this.spec.unkId);
    }

    const truncatedWords = Math.max(0, words.length - this.spec.maxTokens);
    while (ids.length < this.spec.maxTokens) {
      ids.push(this.spec.padId);
    }
    return { ids, unknownWords: [...unknown], truncatedWords };
  }
}
