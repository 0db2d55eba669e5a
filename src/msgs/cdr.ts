import type { MessageDefinition } from "@foxglove/message-definition";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";

import { ArgumentError, describeError, InputError } from "../errors";
import { normalizeTypeName } from "./names";
import { builtinDefinitions } from "./schema";
import { checkMessageValue } from "./validate";

/** Writers and readers are built once per type: building one walks the whole definition. */
const writers = new Map<string, { writer: MessageWriter; definitions: MessageDefinition[] }>();
const readers = new Map<string, MessageReader>();

function definitionsFor(fullName: string): MessageDefinition[] {
  const definitions = builtinDefinitions(fullName);
  if (definitions === undefined) {
    throw new ArgumentError(
      `No built-in message definition for ${fullName}; serializeMessage and deserializeMessage ` +
        `support the embedded types and those of @foxglove/rosmsg-msgs-common. For other types, ` +
        `parse the bag's schema with parseMessageDefinition and use MessageReader directly.`,
    );
  }
  return definitions;
}

function writerFor(fullName: string): { writer: MessageWriter; definitions: MessageDefinition[] } {
  let entry = writers.get(fullName);
  if (entry === undefined) {
    const definitions = definitionsFor(fullName);
    entry = { writer: new MessageWriter(definitions), definitions };
    writers.set(fullName, entry);
  }
  return entry;
}

function readerFor(fullName: string): MessageReader {
  let reader = readers.get(fullName);
  if (reader === undefined) {
    reader = new MessageReader(definitionsFor(fullName));
    readers.set(fullName, reader);
  }
  return reader;
}

/**
 * Serializes a message to CDR (little endian, with the 4-byte encapsulation header), as
 * ROS 2 publishes it and rosbag2 stores it. The value is checked field by field first:
 * every field must be present with the right kind of value, integers in range (BigInt
 * only for 64-bit fields) and strings ASCII, because @foxglove/cdr 3.5.0 writes other
 * strings with a wrong length. Throws ArgumentError naming the type and the field.
 * NOTE: strings are written with their NUL characters; ROS 2 C and C++ nodes read a
 * string only up to its first NUL.
 */
export function serializeMessage(typeName: string, value: unknown): Uint8Array {
  const fullName = normalizeTypeName(typeName);
  const { writer, definitions } = writerFor(fullName);
  checkMessageValue(fullName, definitions, value);
  try {
    return writer.writeMessage(value);
  } catch (error) {
    throw new ArgumentError(
      `Failed to serialize ${fullName}: ${describeError(error)}. Check that the value has every ` +
        `field of ${fullName} with the right type (uint8[] fields as Uint8Array or number[]).`,
      { cause: error },
    );
  }
}

/**
 * Deserializes CDR bytes of a built-in type. Throws InputError (field "data", reason
 * "corrupt_cdr") when the bytes are not a valid message of that type. `source` is the
 * origin of the bytes (topic, bag file and offset), named in that error.
 */
export function deserializeMessage<T = unknown>(typeName: string, bytes: Uint8Array, source = "message"): T {
  const fullName = normalizeTypeName(typeName);
  const reader = readerFor(fullName);
  try {
    return reader.readMessage<T>(bytes);
  } catch (error) {
    throw new InputError(
      source,
      "data",
      "corrupt_cdr",
      `Failed to deserialize ${fullName} from ${source} (${bytes.byteLength} bytes): ${describeError(error)}. ` +
        `The bytes are truncated or belong to another type; check the topic's type.`,
    );
  }
}
