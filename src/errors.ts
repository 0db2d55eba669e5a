/**
 * Error hierarchy with stable codes, so callers (CLI, ROS node, replay) can branch on
 * `code` instead of parsing messages. Every message names the value and the fix.
 */
export type SoftSkipErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_INPUT"
  | "INVALID_PARAMETER"
  | "MODEL_INVALID"
  | "BAG_INVALID"
  | "NOT_FOUND"
  | "INVALID_STATE"
  | "UNSUPPORTED";

export class SoftSkipError extends Error {
  readonly code: SoftSkipErrorCode;

  constructor(code: SoftSkipErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A command-line or API argument with the wrong value. */
export class ArgumentError extends SoftSkipError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_ARGUMENT", message, options);
  }
}

/**
 * A message that cannot be used (bad encoding, size mismatch, corrupt data, bad text).
 * `source` names where it came from (topic, bag file and offset) and `field` the field
 * that was wrong, so rejections can be counted per reason.
 */
export class InputError extends SoftSkipError {
  readonly source: string;
  readonly field: string;
  readonly reason: string;

  constructor(source: string, field: string, reason: string, message: string) {
    super("INVALID_INPUT", message);
    this.source = source;
    this.field = field;
    this.reason = reason;
  }
}

/** A parameter value outside its declared type, range or set of allowed values. */
export class ParameterError extends SoftSkipError {
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super("INVALID_PARAMETER", message);
    this.parameter = parameter;
  }
}

/** A model directory that is missing, incomplete or inconsistent. */
export class ModelError extends SoftSkipError {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super("MODEL_INVALID", message, options);
    this.file = file;
  }
}

/** A bag that cannot be read: missing, not a bag, corrupt, unsupported compression. */
export class BagError extends SoftSkipError {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super("BAG_INVALID", message, options);
    this.file = file;
  }
}

/** A call made in the wrong order or on a disposed object ("configure before activate"). */
export class StateError extends SoftSkipError {
  constructor(message: string) {
    super("INVALID_STATE", message);
  }
}

/** Formats an unknown caught value for a log line or an error message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/**
 * Returns the first line of a YAML parse error, which names the problem, line and column.
 * The yaml library appends an excerpt of the file with a caret on further lines.
 */
export function describeYamlError(error: unknown): string {
  return describeError(error).split("\n")[0].replace(/[:.\s]*$/, "");
}
