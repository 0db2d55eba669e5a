export { ArgumentError, BagError, InputError, ModelError, ParameterError, SoftSkipError, StateError } from "./errors";
export type { SoftSkipErrorCode } from "./errors";
export { createConsoleLogger, RateLimitedLog, silentLogger } from "./log";
export type { Logger, LogLevel } from "./log";
export { defaultParameters, PARAMETER_DECLARATIONS, POLICY_NAMES } from "./params/declarations";
export type { GroundingParameters, ImageTransport, PolicyName } from "./params/declarations";
export { readParameterFile } from "./params/file";
export { mergeParameters, validateParameter } from "./params/validate";
export {
  boxFromModelPixels,
  computeLetterboxTransform,
  decodeImage,
  drawBox,
  letterboxImage,
  SUPPORTED_RAW_ENCODINGS,
} from "./image";
export type { DecodedImage, DrawBoxOptions, LetterboxResult, LetterboxTarget, LetterboxTransform } from "./image";
export {
  builtinDefinitions,
  deserializeMessage,
  GROUNDING_STATUS,
  messageDefinitionText,
  normalizeTypeName,
  parseMessageDefinition,
  serializeMessage,
  stampFromMessage,
  toAsciiText,
} from "./msgs";
// The message Header and Time are the same shapes as the stream's Header and Stamp exported below.
export type {
  CompressedImage as CompressedImageMessage,
  Detection2DArray,
  DiagnosticArray,
  GroundingResult,
  GroundRequest,
  GroundResponse,
  Image as ImageMessage,
  ImageAnnotations,
  SchemaEncoding,
  StringMessage,
} from "./msgs";
export { BUNDLED_MODEL_DIR, checkGroundable, loadGroundingEngine, MAX_TRANSCRIPT_LENGTH, parseTranscript, resolveSpokenExpression } from "./runtime";
export type { EngineOptions, ParsedTranscript, Ungroundable } from "./runtime";
export type * from "./runtime/types";
export type * from "./stream/types";
export { BudgetController, createGroundingStream } from "./stream";
export type { BudgetControllerOptions, BudgetState, GroundingStreamEngine, GroundingStreamOptions, LatencySample } from "./stream";
