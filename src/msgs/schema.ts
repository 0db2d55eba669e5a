import type { MessageDefinition } from "@foxglove/message-definition";
import { parseRos2idl } from "@foxglove/ros2idl-parser";
import { parse } from "@foxglove/rosmsg";
import { ros2humble, ros2jazzy } from "@foxglove/rosmsg-msgs-common";

import { ArgumentError, describeError } from "../errors";
import { EMBEDDED_MSG_TEXTS } from "./definitions";
import { normalizeTypeName, shortTypeName } from "./names";

export type SchemaEncoding = "ros2msg" | "ros2idl";

/** rosbag2 separates dependency blocks with a line of 80 "=" characters. */
const SEPARATOR = "=".repeat(80);

const PRIMITIVE_TYPES = new Set([
  "bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16",
  "int32", "uint32", "int64", "uint64", "string", "wstring", "time", "duration",
]);

/** "std_msgs/msg/Header" in a dependency header or a field type becomes "std_msgs/Header". */
const QUALIFIED_DEPENDENCY = /^MSG:\s*([A-Za-z][A-Za-z0-9_]*)\/msg\/([A-Za-z][A-Za-z0-9_]*)\s*$/;
const QUALIFIED_FIELD_TYPE = /^(\s*)([A-Za-z][A-Za-z0-9_]*)\/msg\/([A-Za-z][A-Za-z0-9_]*)(?=[\s[<])/;

/**
 * Rewrites `pkg/msg/Type` to `pkg/Type` in `MSG:` headers and field types. rosbag2 and
 * other writers use both spellings, and @foxglove/rosmsg 5.x resolves only the short one:
 * with `MSG: std_msgs/msg/Header` it throws "Expected 1 top level type definition".
 */
function unqualifyMsgText(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const dependency = QUALIFIED_DEPENDENCY.exec(line);
      if (dependency !== null) {
        return `MSG: ${dependency[1]}/${dependency[2]}`;
      }
      return line.replace(QUALIFIED_FIELD_TYPE, "$1$2/$3");
    })
    .join("\n");
}

/**
 * Parses a schema as stored in a bag (MCAP Schema record, rosbag2 `message_definitions`).
 * For ros2msg the first definition is the message itself, named after `typeName` when one
 * is given. For ros2idl the parser's names are kept, and constant modules may come first.
 * NOTE: @foxglove/ros2idl-parser 0.3.5 names the second field of builtin_interfaces/Time
 * `nsec` instead of `nanosec`; read stamps with `stampFromMessage`, which accepts both.
 * An empty ros2msg text is valid (std_msgs/msg/Empty) and yields one definition with no fields.
 */
export function parseMessageDefinition(
  text: string,
  encoding: SchemaEncoding,
  typeName?: string,
): MessageDefinition[] {
  const label = typeName === undefined ? "message" : normalizeTypeName(typeName);

  let definitions: MessageDefinition[];
  try {
    if (encoding === "ros2msg") {
      definitions = parse(unqualifyMsgText(text), { ros2: true });
    } else if (encoding === "ros2idl") {
      definitions = parseRos2idl(text);
    } else {
      throw new ArgumentError(
        `Invalid schema encoding ${JSON.stringify(encoding)} for ${label}: expected "ros2msg" or "ros2idl".`,
      );
    }
  } catch (error) {
    if (error instanceof ArgumentError) {
      throw error;
    }
    throw new ArgumentError(
      `Failed to parse the ${encoding} schema of ${label}: ${describeError(error)}. ` +
        `The bag's schema is corrupt or in an unsupported dialect; use the built-in definitions instead.`,
      { cause: error },
    );
  }

  // ros2idl definitions already carry full names, and constant modules may precede the root.
  if (encoding === "ros2msg" && typeName !== undefined && definitions.length > 0) {
    definitions[0] = { ...definitions[0], name: shortTypeName(typeName) };
  }
  return definitions;
}

/** Complex field types of a .msg text, as full names, in order of first use. */
function dependenciesOf(text: string): string[] {
  const found: string[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/#.*/, "").trim();
    if (line === "") {
      continue;
    }
    const fieldType = line.split(/\s+/)[0].replace(/\[.*\]$/, "").replace(/<=\d+$/, "");
    if (PRIMITIVE_TYPES.has(fieldType) || line.split(/\s+/)[1]?.includes("=") === true) {
      continue;
    }
    const full = normalizeTypeName(fieldType === "Header" ? "std_msgs/Header" : fieldType);
    if (!found.includes(full)) {
      found.push(full);
    }
  }
  return found;
}

function embeddedText(fullName: string): string {
  const text = EMBEDDED_MSG_TEXTS[fullName];
  if (text === undefined) {
    throw new ArgumentError(
      `No built-in message definition for ${fullName}. Built-in types: ` +
        `${Object.keys(EMBEDDED_MSG_TEXTS).sort().join(", ")}. Use the schema stored in the bag, ` +
        `or add the type's .msg text to src/msgs/definitions.`,
    );
  }
  return text;
}

/**
 * Returns the ros2msg schema text for an MCAP Schema record or a rosbag2
 * `message_definitions` row: the type's own .msg text, then one block per dependency
 * (depth first, each once) introduced by a separator line and `MSG: pkg/Type`, as rosbag2
 * writes it. Throws ArgumentError for types without an embedded definition.
 */
export function messageDefinitionText(typeName: string): string {
  const root = normalizeTypeName(typeName);
  const blocks = [embeddedText(root)];
  const visited = new Set([root]);

  const visit = (fullName: string): void => {
    for (const dependency of dependenciesOf(embeddedText(fullName))) {
      if (visited.has(dependency)) {
        continue;
      }
      visited.add(dependency);
      blocks.push(`${SEPARATOR}\nMSG: ${shortTypeName(dependency)}\n${embeddedText(dependency)}`);
      visit(dependency);
    }
  };
  visit(root);

  return blocks.join("\n").replace(/\n\n+/g, "\n");
}

/** Names of the types with an embedded .msg text, full form ("pkg/msg/Type"). */
export function embeddedTypeNames(): string[] {
  return Object.keys(EMBEDDED_MSG_TEXTS).sort();
}

type CommonDefinitions = Readonly<Record<string, MessageDefinition | undefined>>;

/** Collects a type and its dependencies from @foxglove/rosmsg-msgs-common, root first. */
function commonDefinitions(table: CommonDefinitions, shortName: string): MessageDefinition[] | undefined {
  const root = table[shortName];
  if (root === undefined) {
    return undefined;
  }
  const collected: MessageDefinition[] = [root];
  const seen = new Set([shortName]);
  for (let index = 0; index < collected.length; index += 1) {
    for (const field of collected[index].definitions) {
      if (field.isComplex !== true || seen.has(field.type)) {
        continue;
      }
      const dependency = table[field.type];
      if (dependency === undefined) {
        return undefined;
      }
      seen.add(field.type);
      collected.push(dependency);
    }
  }
  return collected;
}

const builtinCache = new Map<string, MessageDefinition[] | null>();

/**
 * Returns parsed definitions (root first) for a well-known type, for bags that lack their
 * schema and for the CDR writer. Embedded texts cover SoftSkip's own topics; other types
 * come from @foxglove/rosmsg-msgs-common (Humble, then Jazzy). Returns undefined for
 * unknown types and throws ArgumentError for names that are not type names. Each call
 * returns a fresh copy, so callers may modify it.
 */
export function builtinDefinitions(typeName: string): MessageDefinition[] | undefined {
  const fullName = normalizeTypeName(typeName);

  let cached = builtinCache.get(fullName);
  if (cached === undefined) {
    if (EMBEDDED_MSG_TEXTS[fullName] !== undefined) {
      cached = parseMessageDefinition(messageDefinitionText(fullName), "ros2msg", fullName);
    } else {
      const shortName = shortTypeName(fullName);
      cached =
        commonDefinitions(ros2humble as CommonDefinitions, shortName) ??
        commonDefinitions(ros2jazzy as CommonDefinitions, shortName) ??
        null;
    }
    builtinCache.set(fullName, cached);
  }

  return cached === null ? undefined : structuredClone(cached);
}
