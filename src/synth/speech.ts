/**
 * Spoken-command wrapping: what a speech recogniser might return when someone requests
 * the object. Lowercase, no punctuation, with hesitations, repeated words and rare
 * misheard words, as in real transcripts.
 */
import type { Random } from "./random";

const COMMANDS: readonly string[] = [
  "pick up {}",
  "grab {}",
  "hand me {}",
  "could you grab {}",
  "can you pick up {}",
  "please get {}",
  "give me {}",
  "bring me {}",
  "i want {}",
  "i need {}",
  "get {}",
  "take {}",
  "pass me {}",
  "can you hand me {}",
  "could you pass me {} please",
  "show me {}",
  "point at {}",
  "where is {}",
  "find {}",
  "look at {}",
  "{}",
  "{} please",
];

const FILLERS: readonly string[] = ["uh", "um", "er", "hmm"];

/**
 * Words a recogniser plausibly mishears. None maps to another word the grammar uses,
 * so a misheard command never names a different object.
 */
const MISHEARD: Readonly<Record<string, string>> = {
  mug: "mud",
  cup: "cop",
  bowl: "bole",
  red: "read",
  blue: "blew",
  right: "write",
  left: "lift",
  plate: "plait",
  banana: "bandana",
  bottle: "battle",
  green: "grean",
  can: "cam",
  apple: "apel",
  next: "necks",
  small: "smol",
  big: "pig",
  second: "secant",
  white: "wide",
};

export interface SpeechOptions {
  /** Chance of a hesitation word (default 0.25). */
  filler?: number;
  /** Chance of one repeated word (default 0.1). */
  repeat?: number;
  /** Chance of one misheard word (default 0.03). */
  misheard?: number;
}

/** Wraps a clean expression into a transcript of a spoken command. */
export function speak(random: Random, expression: string, options: SpeechOptions = {}): string {
  const template = random.pick(COMMANDS);
  const words = template.replace("{}", expression).split(" ");

  if (random.chance(options.misheard ?? 0.03)) {
    const candidates = words.flatMap((word, index) => (MISHEARD[word] !== undefined ? [index] : []));
    if (candidates.length > 0) {
      const index = random.pick(candidates);
      words[index] = MISHEARD[words[index] as string] as string;
    }
  }
  if (random.chance(options.repeat ?? 0.1)) {
    const index = random.int(0, words.length - 1);
    words.splice(index, 0, words[index] as string);
  }
  if (random.chance(options.filler ?? 0.25)) {
    words.splice(random.int(0, words.length), 0, random.pick(FILLERS));
  }
  return words.join(" ");
}
