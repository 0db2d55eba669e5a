/** Turns a Description into an English referring expression (lowercase, no punctuation). */
import { categoryInfo, COLOR_WORDS, type ColorName } from "./catalog";
import type { Random } from "./random";
import type { Description, Head, RelationKind, Selector } from "./semantics";

/** Picks the first (usual) word with probability `usual`, otherwise one of the others. */
function usualOrOther(random: Random, words: readonly string[], usual = 0.7): string {
  if (words.length === 1 || random.chance(usual)) {
    return words[0] as string;
  }
  return random.pick(words.slice(1));
}

function colorWord(random: Random, color: ColorName): string {
  return usualOrOther(random, COLOR_WORDS[color], 0.8);
}

const SIZE_WORDS: Record<"small" | "big", readonly string[]> = {
  small: ["small", "little", "tiny"],
  big: ["big", "large", "huge"],
};

/** "small red mug", "red one": the head without its article. */
function nounPhrase(random: Random, head: Head, adjectives: readonly string[]): string {
  const words = [...adjectives];
  if (head.color !== null) {
    words.push(colorWord(random, head.color));
  }
  if (head.category !== null) {
    words.push(usualOrOther(random, categoryInfo(head.category).nouns, 0.6));
  } else {
    words.push(random.pick(head.color !== null ? ["one", "thing", "object"] : ["thing", "object"]));
  }
  return words.join(" ");
}

const RELATION_WORDS: Record<RelationKind, readonly string[]> = {
  left_of: ["left of", "to the left of", "on the left of"],
  right_of: ["right of", "to the right of", "on the right of"],
  behind: ["behind", "in back of"],
  in_front_of: ["in front of"],
  next_to: ["next to", "beside", "near"],
  between: ["between"],
};

const ORDINALS = ["", "first", "second", "third"] as const;

/** Puts a description into words; every phrasing here means exactly what `resolve` checks. */
export function describe(random: Random, description: Description): string {
  const { head, relation, selector } = description;
  let phrase: string;
  if (selector === undefined) {
    phrase = `the ${nounPhrase(random, head, [])}`;
  } else {
    phrase = withSelector(random, head, selector);
  }
  if (relation !== undefined) {
    const anchors = relation.anchors.map((anchor) => `the ${nounPhrase(random, anchor, [])}`);
    const words = usualOrOther(random, RELATION_WORDS[relation.kind], 0.6);
    phrase += relation.kind === "between" ? ` ${words} ${anchors[0]} and ${anchors[1]}` : ` ${words} ${anchors[0]}`;
  }
  return phrase;
}

function withSelector(random: Random, head: Head, selector: Selector): string {
  switch (selector.kind) {
    case "size":
      return `the ${nounPhrase(random, head, [usualOrOther(random, SIZE_WORDS[selector.value], 0.6)])}`;
    case "position": {
      const value = selector.value;
      const prefix = random.chance(0.4);
      if (prefix && value !== "middle") {
        return `the ${value} ${nounPhrase(random, head, [])}`;
      }
      if (prefix) {
        return `the middle ${nounPhrase(random, head, [])}`;
      }
      const where: Record<typeof value, readonly string[]> = {
        left: ["on the left"],
        right: ["on the right"],
        front: ["in the front", "at the front"],
        back: ["in the back", "at the back"],
        middle: ["in the middle", "in the center"],
      };
      return `the ${nounPhrase(random, head, [])} ${random.pick(where[value])}`;
    }
    case "ordinal":
      return `the ${ORDINALS[selector.rank]} ${nounPhrase(random, head, [])} from the ${selector.from}`;
    case "superlative": {
      const noun = nounPhrase(random, head, []);
      switch (selector.value) {
        case "biggest":
          return `the ${random.pick(["biggest", "largest"])} ${noun}`;
        case "smallest":
          return `the ${random.pick(["smallest", "tiniest"])} ${noun}`;
        case "leftmost":
          return random.chance(0.7) ? `the leftmost ${noun}` : `the ${noun} furthest to the left`;
        case "rightmost":
          return random.chance(0.7) ? `the rightmost ${noun}` : `the ${noun} furthest to the right`;
        case "closest":
          return random.chance(0.5) ? `the ${noun} ${random.pick(["closest", "nearest"])} to you` : `the ${random.pick(["closest", "nearest"])} ${noun}`;
        case "farthest":
          return random.chance(0.5) ? `the ${noun} ${random.pick(["farthest", "furthest"])} from you` : `the ${random.pick(["farthest", "furthest"])} ${noun}`;
      }
    }
  }
}

/** Parts of the expression, as listed in a ref's `kinds`. */
export function kindsOf(description: Description): string[] {
  const kinds: string[] = [];
  if (description.head.category !== null) {
    kinds.push("category");
  }
  if (description.head.color !== null) {
    kinds.push("color");
  }
  if (description.selector !== undefined) {
    kinds.push(description.selector.kind);
  }
  if (description.relation !== undefined) {
    kinds.push("relation");
  }
  return kinds;
}
