/**
 * Checks a message object against its ROS definition before the fake publishes it, and
 * round-trips it through CDR so subscribers receive what a real middleware would deliver.
 *
 * This is stricter than rclnodejs, which fills missing fields with defaults and ignores
 * unknown ones: here a missing field or an unknown one (a typo such as `center.x` for
 * vision_msgs 4.x's `center.position.x`) fails the test. As in rclnodejs, a BigInt in a
 * 32-bit or smaller number field throws.
 */
import type { MessageDefinition, MessageDefinitionField } from "@foxglove/message-definition";

import { builtinDefinitions, deserializeMessage, serializeMessage } from "../../src/msgs";

const NUMBER_TYPES = new Set(["int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64", "byte", "char"]);
const WIDE_TYPES = new Set(["int64", "uint64"]);

/** Throws TypeError naming the path of the first field that does not fit `typeName`. */
export function checkMessage(typeName: string, message: unknown): void {
  const definitions = builtinDefinitions(typeName);
  if (definitions === undefined) {
    throw new TypeError(`The fake has no definition for ${typeName}.`);
  }
  const byName = new Map(definitions.map((definition) => [definition.name ?? "", definition]));
  checkComplex(definitions[0], message, typeName, byName);
}

/** Serializes and deserializes `message`, as a publisher and a subscriber would. */
export function roundTrip(typeName: string, message: unknown): unknown {
  return deserializeMessage(typeName, serializeMessage(typeName, message));
}

function checkComplex(
  definition: MessageDefinition,
  value: unknown,
  path: string,
  byName: ReadonlyMap<string, MessageDefinition>,
): void {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`${path} must be an object but is ${String(value)}.`);
  }
  const record = value as Record<string, unknown>;
  const fields = definition.definitions.filter((field) => field.isConstant !== true);
  const known = new Set(fields.map((field) => field.name));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      throw new TypeError(`${path}.${key} is not a field of ${definition.name ?? path}.`);
    }
  }
  for (const field of fields) {
    if (!(field.name in record)) {
      throw new TypeError(`${path}.${field.name} is missing.`);
    }
    checkField(field, record[field.name], `${path}.${field.name}`, byName);
  }
}

function checkField(
  field: MessageDefinitionField,
  value: unknown,
  path: string,
  byName: ReadonlyMap<string, MessageDefinition>,
): void {
  if (field.isArray === true) {
    if (field.type === "uint8" || field.type === "int8") {
      if (value instanceof Uint8Array || Array.isArray(value)) {
        return;
      }
    }
    if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
      throw new TypeError(`${path} must be an array but is ${typeof value}.`);
    }
    const items = Array.from(value as ArrayLike<unknown>);
    if (field.arrayLength !== undefined && items.length !== field.arrayLength) {
      throw new TypeError(`${path} must have ${field.arrayLength} items but has ${items.length}.`);
    }
    items.forEach((item, index) => checkScalar(field, item, `${path}[${index}]`, byName));
    return;
  }
  checkScalar(field, value, path, byName);
}

function checkScalar(
  field: MessageDefinitionField,
  value: unknown,
  path: string,
  byName: ReadonlyMap<string, MessageDefinition>,
): void {
  if (field.isComplex === true) {
    const definition = byName.get(field.type);
    if (definition === undefined) {
      throw new TypeError(`No definition for ${field.type} at ${path}.`);
    }
    checkComplex(definition, value, path, byName);
    return;
  }
  if (field.type === "time" || field.type === "duration") {
    const stamp = value as { sec?: unknown; nanosec?: unknown };
    if (typeof stamp?.sec !== "number" || typeof stamp?.nanosec !== "number") {
      throw new TypeError(`${path} must be {sec, nanosec} with number fields but is ${describe(value)}.`);
    }
    return;
  }
  if (field.type === "string") {
    if (typeof value !== "string") {
      throw new TypeError(`${path} must be a string but is ${typeof value}.`);
    }
    return;
  }
  if (field.type === "bool") {
    if (typeof value !== "boolean") {
      throw new TypeError(`${path} must be a boolean but is ${typeof value}.`);
    }
    return;
  }
  if (NUMBER_TYPES.has(field.type)) {
    if (typeof value !== "number") {
      throw new TypeError(`${path} (${field.type}) must be a number but is ${describe(value)}.`);
    }
    return;
  }
  if (WIDE_TYPES.has(field.type)) {
    if (typeof value !== "number" && typeof value !== "bigint") {
      throw new TypeError(`${path} (${field.type}) must be a number or BigInt but is ${typeof value}.`);
    }
    return;
  }
  throw new TypeError(`${path} has type ${field.type}, which the fake does not check.`);
}

function describe(value: unknown): string {
  return typeof value === "bigint" ? `the BigInt ${value}` : `${String(value)} (${typeof value})`;
}
