import { ParameterError } from "../errors";
import {
  GroundingParameters,
  PARAMETER_DECLARATIONS,
  PARAMETER_NAMES,
} from "./declarations";

/**
 * Checks one parameter value against its declaration and returns it in the declared type.
 * Integers may arrive as BigInt (rclnodejs 2.x) and are converted here, at the boundary.
 * Throws ParameterError naming the parameter, the value and what is allowed.
 */
export function validateParameter<K extends keyof GroundingParameters>(
  name: K,
  value: unknown,
): GroundingParameters[K] {
  const declaration = PARAMETER_DECLARATIONS[name];
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);

  switch (declaration.type) {
    case "string": {
      if (typeof value !== "string") {
        throw new ParameterError(name, `Parameter ${name} expects a string but received ${shown} (${typeof value}).`);
      }
      if (declaration.allowed && !declaration.allowed.includes(value)) {
        throw new ParameterError(
          name,
          `Parameter ${name} must be one of ${declaration.allowed.join(", ")} but received ${shown}.`,
        );
      }
      return value as GroundingParameters[K];
    }
    case "bool": {
      if (typeof value !== "boolean") {
        throw new ParameterError(name, `Parameter ${name} expects true or false but received ${shown} (${typeof value}).`);
      }
      return value as GroundingParameters[K];
    }
    case "double":
    case "integer": {
      const numeric = typeof value === "bigint" ? Number(value) : value;
      if (typeof numeric !== "number" || !Number.isFinite(numeric)) {
        throw new ParameterError(name, `Parameter ${name} expects a finite number but received ${shown}.`);
      }
      if (declaration.type === "integer" && !Number.isInteger(numeric)) {
        throw new ParameterError(name, `Parameter ${name} expects an integer but received ${shown}.`);
      }
      const range = declaration.range;
      if (range && (numeric < range.min || numeric > range.max)) {
        throw new ParameterError(
          name,
          `Parameter ${name} must be between ${range.min} and ${range.max} but received ${shown}.`,
        );
      }
      return numeric as GroundingParameters[K];
    }
  }
}

/**
 * Validates a partial set of overrides (from a parameter file or a command line) and merges
 * it over `base`. Unknown names are rejected so that a typo never passes silently.
 */
export function mergeParameters(
  base: GroundingParameters,
  overrides: Record<string, unknown>,
  source: string,
): GroundingParameters {
  const merged: GroundingParameters = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(PARAMETER_NAMES as string[]).includes(name)) {
      throw new ParameterError(
        name,
        `Unknown parameter ${name} in ${source}; known parameters are ${PARAMETER_NAMES.join(", ")}.`,
      );
    }
    const key = name as keyof GroundingParameters;
    try {
      (merged as unknown as Record<string, unknown>)[key] = validateParameter(key, value);
    } catch (error) {
      // Name the file or flag the value came from, which validateParameter is not given.
      if (error instanceof ParameterError && !error.message.includes(source)) {
        throw new ParameterError(error.parameter, `${error.message.replace(/\.$/, "")} (in ${source}).`);
      }
      throw error;
    }
  }
  return merged;
}
