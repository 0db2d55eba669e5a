/**
 * Picks the message definition for each topic: the bag's own schema (ros2msg or ros2idl)
 * when it has one, else the built-in definition of a well-known type. Returns the CDR
 * reader to use, or the reason the topic cannot be read.
 */
import { MessageReader } from "@foxglove/rosmsg2-serialization";

import { describeError } from "../errors";
import type { Logger } from "../log";
import { builtinDefinitions, normalizeTypeName, parseMessageDefinition } from "../msgs";
import { NO_SCHEMA_ENCODINGS } from "./source";
import type { BagTopic } from "./types";

export interface ResolvedDefinition {
  source: BagTopic["definitionSource"];
  reader?: MessageReader;
}

/**
 * Resolves a reader for `type` given the stored schema. A schema that fails to parse falls
 * back to the built-in definition with a warning. An empty ros2msg schema is valid,
 * because std_msgs/msg/Empty has no fields, so it is not treated as missing.
 */
export function resolveDefinition(
  file: string,
  topic: string,
  type: string,
  schemaEncoding: string,
  schemaData: Uint8Array,
  logger: Logger,
): ResolvedDefinition {
  if (!NO_SCHEMA_ENCODINGS.includes(schemaEncoding)) {
    if (schemaEncoding === "ros2msg" || schemaEncoding === "ros2idl") {
      try {
        const text = new TextDecoder().decode(schemaData);
        return { source: "bag", reader: new MessageReader(parseMessageDefinition(text, schemaEncoding, type)) };
      } catch (error) {
        logger.warn(`${file}: topic ${topic} has an unreadable ${schemaEncoding} schema (${describeError(error)}); trying the built-in definition of ${type}.`);
      }
    } else {
      logger.warn(`${file}: topic ${topic} has a schema in unsupported encoding ${JSON.stringify(schemaEncoding)}; trying the built-in definition of ${type}.`);
    }
  }

  let definitions;
  try {
    definitions = builtinDefinitions(type);
  } catch {
    definitions = undefined;
  }
  if (definitions === undefined) {
    return { source: "none" };
  }
  return { source: "builtin", reader: new MessageReader(definitions) };
}

/** Returns `pkg/msg/Type` for any accepted spelling, or the input unchanged when it is no type name. */
export function fullTypeName(type: string): string {
  try {
    return normalizeTypeName(type);
  } catch {
    return type;
  }
}
