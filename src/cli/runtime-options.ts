/** Option parsing shared by `softskip ground` and `softskip eval`. */
import { ArgumentError, describeError } from "../errors";
import type { PolicyName } from "../params/declarations";
import { POLICY_NAMES } from "../params/declarations";

/** Runs node:util parseArgs and turns its TypeError into an ArgumentError naming the subcommand. */
export function parseCliArgs<T>(parse: () => T, command: string): T {
  try {
    return parse();
  } catch (error) {
    const message = describeError(error).replace(/[.\s]*$/, ".");
    throw new ArgumentError(`${message} Run ${command} --help for the options.`);
  }
}

export function parsePolicy(value: string, option: string): PolicyName {
  if (!(POLICY_NAMES as readonly string[]).includes(value)) {
    throw new ArgumentError(`${option} ${JSON.stringify(value)} is not a policy; use one of ${POLICY_NAMES.join(", ")}.`);
  }
  return value as PolicyName;
}

export function parsePolicies(value: string, option: string): PolicyName[] {
  const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) {
    throw new ArgumentError(`${option} is empty; list policies separated by commas, such as full,softskip.`);
  }
  return [...new Set(names.map((name) => parsePolicy(name, option)))];
}

export function parsePositiveNumber(value: string, option: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) {
    throw new ArgumentError(`${option} ${JSON.stringify(value)} is invalid; pass a positive number.`);
  }
  return number;
}

export function parsePositiveInteger(value: string, option: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number <= 0) {
    throw new ArgumentError(`${option} ${JSON.stringify(value)} is invalid; pass a positive integer.`);
  }
  return number;
}
