export { boundingBoxFromBox, boxFromBoundingBox, imageFromRgb, imageInputFromCompressed, imageInputFromImage } from "./convert";
export { deserializeMessage, serializeMessage } from "./cdr";
export { normalizeTypeName, shortTypeName } from "./names";
export { builtinDefinitions, embeddedTypeNames, messageDefinitionText, parseMessageDefinition } from "./schema";
export type { SchemaEncoding } from "./schema";
export { secondsText, stampFromMessage, timeFromMs, timeFromNs, timeToMs } from "./stamp";
export { toAsciiText } from "./text";
export { DIAGNOSTIC_LEVEL, GROUNDING_STATUS, POINTS_ANNOTATION_TYPE } from "./types";
export type {
  BoundingBox2D,
  CircleAnnotation,
  Clock,
  Color,
  CompressedImage,
  Detection2D,
  Detection2DArray,
  DiagnosticArray,
  DiagnosticStatus,
  GroundingResult,
  GroundingStatusCode,
  GroundRequest,
  GroundResponse,
  Header,
  Image,
  ImageAnnotations,
  KeyValue,
  ObjectHypothesis,
  ObjectHypothesisWithPose,
  Point,
  Point2,
  Point2D,
  PointsAnnotation,
  Pose,
  Pose2D,
  PoseWithCovariance,
  Quaternion,
  StringMessage,
  TextAnnotation,
  Time,
} from "./types";
