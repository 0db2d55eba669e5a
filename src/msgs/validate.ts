import type { MessageDefinition, MessageDefinitionField } from "@foxglove/message-definition";

import { ArgumentError } from "../errors";

/** Inclusive ranges of the integer types; 64-bit types also accept BigInt. */
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  bool: [0, 1],
  byte: [0, 255],
  char: [0, 255],
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65_535],
  int16: [-32_768, 32_767],
  uint32: [0, 4_294_967_295],
  int32: [-2_147_483_648, 2_147_483_647],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const NON_ASCII = /[^\p{ASCII}]/u;

function describeValue(value: unknown): string {
  if (typeof value === "string") {
    return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)} (string)`;
  }
  if (typeof value === "bigint") {
    return `${value}n (bigint)`;
  }
  if (Array.isArray(value)) {
    return `an array of ${value.length}`;
  }
  if (ArrayBuffer.isView(value)) {
    return `a ${value.constructor.name}`;
  }
  return `${String(value)} (${value === null ? "null" : typeof value})`;
}

class ValueChecker {
  private readonly byName: ReadonlyMap<string, MessageDefinition>;

  constructor(
    private readonly typeName: string,
    private readonly definitions: MessageDefinition[],
  ) {
    this.byName = new Map(definitions.map((definition) => [definition.name ?? "", definition]));
  }

  checkMessage(value: unknown): void {
    this.checkStruct(this.definitions[0], value, "");
  }

  private fail(path: string, expected: string, value: unknown): never {
    const where = path === "" ? "the message" : `field "${path}"`;
    throw new ArgumentError(
      `Failed to serialize ${this.typeName}: ${where} must be ${expected} but received ${describeValue(value)}.`,
    );
  }

  private checkStruct(definition: MessageDefinition, value: unknown, path: string): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, `an object of type ${definition.name ?? this.typeName}`, value);
    }
    const record = value as Record<string, unknown>;
    for (const field of definition.definitions) {
      if (field.isConstant === true) {
        continue;
      }
      const fieldPath = path === "" ? field.name : `${path}.${field.name}`;
      if (!(field.name in record)) {
        this.fail(fieldPath, "present", undefined);
      }
      this.checkField(field, record[field.name], fieldPath);
    }
  }

  private checkField(field: MessageDefinitionField, value: unknown, path: string): void {
    if (field.isArray !== true) {
      this.checkSingle(field, value, path);
      return;
    }

    const isByteArray = value instanceof Uint8Array || value instanceof Int8Array;
    const isNumberArray = ArrayBuffer.isView(value) && !(value instanceof DataView);
    if (!Array.isArray(value) && !(isNumberArray && field.isComplex !== true)) {
      this.fail(path, "an array", value);
    }
    const items = value as ArrayLike<unknown>;
    if (field.arrayLength !== undefined && items.length !== field.arrayLength) {
      this.fail(path, `an array of exactly ${field.arrayLength} items`, value);
    }
    if (field.arrayUpperBound !== undefined && items.length > field.arrayUpperBound) {
      this.fail(path, `an array of at most ${field.arrayUpperBound} items`, value);
    }
    if (isByteArray || isNumberArray) {
      return; // Typed arrays hold valid numbers by construction; skipping them keeps image data O(1).
    }
    for (let index = 0; index < items.length; index += 1) {
      this.checkSingle(field, items[index], `${path}[${index}]`);
    }
  }

  private checkSingle(field: MessageDefinitionField, value: unknown, path: string): void {
    if (field.isComplex === true) {
      const definition = this.byName.get(field.type);
      if (definition === undefined) {
        throw new ArgumentError(`Failed to serialize ${this.typeName}: no definition for ${field.type} (field "${path}").`);
      }
      this.checkStruct(definition, value, path);
      return;
    }
    this.checkPrimitive(field.type, value, path);
  }

  private checkPrimitive(type: string, value: unknown, path: string): void {
    if (type === "string" || type === "wstring") {
      if (typeof value !== "string") {
        this.fail(path, "a string", value);
      }
      if (NON_ASCII.test(value)) {
        // TODO: accept UTF-8 once a @foxglove/cdr release after 3.5.0 writes the UTF-8 byte length.
        throw new ArgumentError(
          `Failed to serialize ${this.typeName}: field "${path}" contains non-ASCII characters ` +
            `(${describeValue(value)}). @foxglove/cdr 3.5.0, the newest release on npm, writes the UTF-16 ` +
            `length of a string instead of its UTF-8 byte length and so corrupts such strings; ` +
            `convert free text with toAsciiText before serializing.`,
        );
      }
      return;
    }
    if (type === "bool" && typeof value === "boolean") {
      return;
    }
    if (type === "float32" || type === "float64") {
      // NaN and infinities are valid IEEE 754 values and occur in real messages (unknown covariance).
      if (typeof value !== "number") {
        this.fail(path, `a number (${type})`, value);
      }
      return;
    }
    if (type === "time" || type === "duration") {
      this.checkStruct({ name: `builtin_interfaces/${type === "time" ? "Time" : "Duration"}`, definitions: [
        { name: "sec", type: "int32" },
        { name: "nanosec", type: "uint32" },
      ] }, value, path);
      return;
    }

    const range = INTEGER_RANGES[type];
    if (range === undefined) {
      return; // A primitive this checker does not know is left to the writer.
    }
    const is64Bit = type === "int64" || type === "uint64";
    if (is64Bit && typeof value === "bigint") {
      return;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < range[0] || value > range[1]) {
      this.fail(path, `an integer in ${range[0]}..${range[1]} (${type})`, value);
    }
  }
}

/**
 * Checks a value against parsed definitions (root first) before CDR writing, because the
 * writer silently writes defaults for missing or mistyped fields and wraps integers out of
 * range. Strings must be ASCII, because the CDR writer corrupts other strings. Throws
 * ArgumentError naming the type, the field path, the expected kind and the value.
 */
export function checkMessageValue(typeName: string, definitions: MessageDefinition[], value: unknown): void {
  new ValueChecker(typeName, definitions).checkMessage(value);
}
