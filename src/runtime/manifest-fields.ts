/**
 * Typed field readers for manifest.json. Each one throws a ModelError through
 * ManifestProblem that names the field, the value found and what is expected.
 */
import { ModelError } from "../errors";

export type Json = Record<string, unknown>;

/** Builds the errors for one manifest file, so each check names the same file. */
export class ManifestProblem {
  constructor(readonly manifestPath: string) {}

  error(message: string, cause?: unknown): ModelError {
    return new ModelError(this.manifestPath, `Model manifest ${this.manifestPath} is invalid: ${message}`, { cause });
  }
}

/** Formats a manifest value for a message: numbers as written (Infinity stays Infinity), undefined as "missing". */
export function show(value: unknown): string {
  if (value === undefined) {
    return "missing";
  }
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectField(problem: ManifestProblem, parent: Json, key: string, field = key): Json {
  const value = parent[key];
  if (!isObject(value)) {
    throw problem.error(`${field} is ${show(value)} but must be an object.`);
  }
  return value;
}

export function nonEmptyString(problem: ManifestProblem, value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") {
    throw problem.error(`${field} is ${show(value)} but must be a non-empty string.`);
  }
  return value;
}

export function stringArray(problem: ManifestProblem, value: unknown, field: string, allowEmpty = false): string[] {
  const valid = Array.isArray(value) && (allowEmpty || value.length > 0) && value.every((v) => typeof v === "string" && v !== "");
  if (!valid) {
    throw problem.error(`${field} is ${show(value)} but must be a ${allowEmpty ? "" : "non-empty "}list of non-empty strings.`);
  }
  return value as string[];
}

export function positiveInteger(problem: ManifestProblem, value: unknown, field: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    throw problem.error(`${field} is ${show(value)} but must be a positive integer.`);
  }
  return value as number;
}

export function nonNegativeNumber(problem: ManifestProblem, value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw problem.error(`${field} is ${show(value)} but must be a finite number >= 0.`);
  }
  return value;
}

export function unitNumber(problem: ManifestProblem, value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw problem.error(`${field} is ${show(value)} but must be a number in 0..1.`);
  }
  return value;
}

export function booleanField(problem: ManifestProblem, value: unknown, field: string): boolean {
  if (typeof value !== "boolean") {
    throw problem.error(`${field} is ${show(value)} but must be true or false.`);
  }
  return value;
}
