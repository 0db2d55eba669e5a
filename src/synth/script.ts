/**
 * The spoken side of a generated robot session: when each command is spoken, and which
 * object it means. Includes a correction ("no the blue one"), a command whose
 * referent is absent and a "stop".
 */
import { describeAbsent, describeTarget } from "./expressions";
import type { Random } from "./random";
import { uniqueMatch, type ObjectFacts, type SceneFacts } from "./semantics";
import { speak } from "./speech";
import { describe } from "./wording";

export interface ScriptEntry {
  /** Seconds from the start of the session. */
  timeS: number;
  /** The transcript as published on the speech topic. */
  transcript: string;
  /** The clean referring expression, or "" for a stop. */
  expression: string;
  /** Object index the command means; -1 when its referent is absent; null for a stop. */
  target: number | null;
}

/** Seconds between one command and the next. */
const COMMAND_GAP_S = 4;
/** Seconds between a command and its correction or stop, as a speaker reacts to a wrong pick. */
const REACTION_GAP_S = 3;

/** Two objects of one category, the second named alone by its colour ("the blue one"). */
function correctionPair(facts: SceneFacts): [number, number] | null {
  for (let first = 0; first < facts.objects.length; first++) {
    for (let second = 0; second < facts.objects.length; second++) {
      const a = facts.objects[first] as ObjectFacts;
      const b = facts.objects[second] as ObjectFacts;
      if (first === second || a.category !== b.category || a.color === b.color) {
        continue;
      }
      const firstNamed = uniqueMatch(facts, { category: a.category, color: a.color }) === first;
      const secondNamed = uniqueMatch(facts, { category: null, color: b.color }) === second;
      if (firstNamed && secondNamed) {
        return [first, second];
      }
    }
  }
  return null;
}

/**
 * Plans commands over `seconds`. Returns null when no pair of objects in the scene can be
 * told apart by a correction, so that the caller lays out another scene.
 */
export function planScript(random: Random, facts: SceneFacts, seconds: number): ScriptEntry[] | null {
  const pair = correctionPair(facts);
  if (pair === null) {
    return null;
  }
  const [first, second] = pair;
  const a = facts.objects[first] as ObjectFacts;
  const b = facts.objects[second] as ObjectFacts;
  const quiet = { filler: 0.2, repeat: 0.05, misheard: 0 };

  const firstExpression = describe(random, { head: { category: a.category, color: a.color } });
  const entries: ScriptEntry[] = [{ timeS: 1, transcript: speak(random, firstExpression, quiet), expression: firstExpression, target: first }];
  const correction = describe(random, { head: { category: null, color: b.color } });
  entries.push({ timeS: 1 + REACTION_GAP_S, transcript: `no ${correction}`, expression: correction, target: second });

  // Then commands about other objects, one absent referent and a stop, repeating until the end.
  const others = random.shuffle(facts.objects.map((_, index) => index).filter((index) => index !== first && index !== second));
  let time = 1 + REACTION_GAP_S + COMMAND_GAP_S;
  let step = 0;
  while (time <= seconds - 2) {
    // Every four steps: a command, an absent referent, a stop, a command.
    let kind: "command" | "absent" | "stop" = "command";
    if (step % 4 === 1) {
      kind = "absent";
    } else if (step % 4 === 2) {
      kind = "stop";
    }
    if (kind === "stop") {
      entries.push({ timeS: time - COMMAND_GAP_S + REACTION_GAP_S, transcript: "stop", expression: "", target: null });
    } else if (kind === "absent") {
      const absent = describeAbsent(random, facts);
      if (absent !== null) {
        const expression = describe(random, absent.description);
        entries.push({ timeS: time, transcript: speak(random, expression, quiet), expression, target: -1 });
      }
    } else {
      const target = others.length > 0 ? (others[step % others.length] as number) : first;
      const description = describeTarget(random, facts, target, { requireColor: false });
      if (description !== null) {
        const expression = describe(random, description);
        entries.push({ timeS: time, transcript: speak(random, expression, quiet), expression, target });
      }
    }
    // A stop leaves a short silence before the next command.
    time += kind === "stop" ? 2 : COMMAND_GAP_S;
    step++;
  }
  return entries.sort((x, y) => x.timeS - y.timeS);
}
