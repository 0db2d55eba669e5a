/**
 * From a spoken command to the expression the model grounds, for callers that hear one
 * command on its own: `softskip ground` and the ground service. The stream does the same
 * steps in its command intake, where "one" may also refer to the command before.
 */
import { checkGroundable, nounList } from "./object-nouns";
import { resolveSpokenExpression, unexcludedCategory, unexcludedCategoryReason, unfollowableExclusion } from "./one-anaphora";
import { severalObjects } from "./plural-nouns";
import type { ParsedTranscript } from "./transcript";
import type { CommandEncoding, GroundingEngine } from "./types";

/** Why a command cannot be grounded: a rejection reason and words that complete "Text X ...". */
export interface CommandProblem {
  reason: string;
  explanation: string;
}

export type ParsedCommand = Extract<ParsedTranscript, { kind: "command" }>;

/**
 * Returns the expression to encode and, when the command requests something the model
 * cannot do, the problem: several objects, a rejected category with no other named, or an
 * object left out that the model cannot tell apart.
 */
export function expressionToGround(
  parsed: ParsedCommand,
  objectNouns: readonly string[],
  synonyms: readonly (readonly string[])[] = [],
): { expression: string; problem: CommandProblem | null } {
  const expression = resolveSpokenExpression(parsed.expression, parsed.rejected, objectNouns);
  const several = severalObjects(parsed.expression, nounList(objectNouns));
  if (several !== null) {
    return { expression, problem: { reason: "several_objects", explanation: severalObjectsReason(several) } };
  }
  const unexcluded = unexcludedCategory(expression, parsed.rejected, objectNouns, synonyms);
  if (unexcluded !== null) {
    return { expression, problem: { reason: "unexcluded_category", explanation: unexcludedCategoryReason(unexcluded) } };
  }
  const exclusion = unfollowableExclusion(expression, parsed.excluded, objectNouns, synonyms);
  if (exclusion !== null) {
    return { expression, problem: { reason: "unfollowable_exclusion", explanation: exclusion } };
  }
  return { expression, problem: null };
}

/** Completes "Text X ..." for a command that requests several objects. */
export function severalObjectsReason(phrase: string): string {
  return `asks for several objects (${JSON.stringify(phrase)}), but the node grounds one object per command`;
}

/**
 * Encodes `expression` and checks that it names one object from the model's vocabulary. On a problem
 * the encoding is released and only the problem returned; its explanation completes
 * "Expression X ...".
 */
export async function encodeGroundable(
  engine: GroundingEngine,
  expression: string,
): Promise<{ command: CommandEncoding; problem: null } | { command: null; problem: CommandProblem }> {
  const command = await engine.encode(expression);
  const ungroundable = checkGroundable(expression, command.unknownWords, engine.objectNouns);
  if (ungroundable === null) {
    return { command, problem: null };
  }
  engine.release(command);
  return { command: null, problem: ungroundable };
}
