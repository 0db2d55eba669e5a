/**
 * TypeScript shapes of the ROS 2 messages SoftSkip reads and writes, field for field as
 * the CDR reader returns them and the CDR writer expects them. Integer fields are
 * `number` (no 64-bit integers occur in these types); `uint8[]` fields are `Uint8Array`.
 */

/** builtin_interfaces/msg/Time. `nanosec` is in 0..999_999_999 in a well-formed message. */
export interface Time {
  sec: number;
  nanosec: number;
}

/** std_msgs/msg/Header. */
export interface Header {
  stamp: Time;
  frame_id: string;
}

/** sensor_msgs/msg/Image. */
export interface Image {
  header: Header;
  height: number;
  width: number;
  encoding: string;
  /** 0 or 1; irrelevant for 8-bit encodings. */
  is_bigendian: number;
  /** Bytes per row, including padding. */
  step: number;
  data: Uint8Array;
}

/** sensor_msgs/msg/CompressedImage. `format` as image_transport writes it, e.g. "rgb8; jpeg compressed bgr8". */
export interface CompressedImage {
  header: Header;
  format: string;
  data: Uint8Array;
}

/** std_msgs/msg/String. */
export interface StringMessage {
  data: string;
}

/** vision_msgs/msg/Point2D (vision_msgs 4.x). */
export interface Point2D {
  x: number;
  y: number;
}

/** vision_msgs/msg/Pose2D (vision_msgs 4.x): the point is under `position`. */
export interface Pose2D {
  position: Point2D;
  /** Rotation in radians. */
  theta: number;
}

/** vision_msgs/msg/BoundingBox2D (vision_msgs 4.x, Humble and later), in pixels. */
export interface BoundingBox2D {
  center: Pose2D;
  size_x: number;
  size_y: number;
}

/** geometry_msgs/msg/Point. */
export interface Point {
  x: number;
  y: number;
  z: number;
}

/** geometry_msgs/msg/Quaternion. */
export interface Quaternion {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** geometry_msgs/msg/Pose. */
export interface Pose {
  position: Point;
  orientation: Quaternion;
}

/** geometry_msgs/msg/PoseWithCovariance. */
export interface PoseWithCovariance {
  pose: Pose;
  /** Row-major 6x6 covariance, 36 values. */
  covariance: number[] | Float64Array;
}

/** vision_msgs/msg/ObjectHypothesis. */
export interface ObjectHypothesis {
  class_id: string;
  score: number;
}

/** vision_msgs/msg/ObjectHypothesisWithPose. */
export interface ObjectHypothesisWithPose {
  hypothesis: ObjectHypothesis;
  pose: PoseWithCovariance;
}

/** vision_msgs/msg/Detection2D. */
export interface Detection2D {
  header: Header;
  results: ObjectHypothesisWithPose[];
  bbox: BoundingBox2D;
  id: string;
}

/** vision_msgs/msg/Detection2DArray. */
export interface Detection2DArray {
  header: Header;
  detections: Detection2D[];
}

/** diagnostic_msgs/msg/KeyValue. */
export interface KeyValue {
  key: string;
  value: string;
}

/** Values of DiagnosticStatus.level (a `byte` field). */
export const DIAGNOSTIC_LEVEL = { OK: 0, WARN: 1, ERROR: 2, STALE: 3 } as const;

/** diagnostic_msgs/msg/DiagnosticStatus. */
export interface DiagnosticStatus {
  /** One of DIAGNOSTIC_LEVEL; the field is a `byte`, so it is a number here. */
  level: number;
  name: string;
  message: string;
  hardware_id: string;
  values: KeyValue[];
}

/** diagnostic_msgs/msg/DiagnosticArray. */
export interface DiagnosticArray {
  header: Header;
  status: DiagnosticStatus[];
}

/** foxglove_msgs/msg/Point2, in image pixels from the top-left corner. */
export interface Point2 {
  x: number;
  y: number;
}

/** foxglove_msgs/msg/Color, each channel in 0..1. */
export interface Color {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** foxglove_msgs/msg/CircleAnnotation. */
export interface CircleAnnotation {
  timestamp: Time;
  position: Point2;
  /** Pixels. */
  diameter: number;
  /** Pixels. */
  thickness: number;
  fill_color: Color;
  outline_color: Color;
}

/** Values of PointsAnnotation.type. */
export const POINTS_ANNOTATION_TYPE = { UNKNOWN: 0, POINTS: 1, LINE_LOOP: 2, LINE_STRIP: 3, LINE_LIST: 4 } as const;

/** foxglove_msgs/msg/PointsAnnotation. */
export interface PointsAnnotation {
  timestamp: Time;
  /** One of POINTS_ANNOTATION_TYPE. */
  type: number;
  points: Point2[];
  outline_color: Color;
  /** Per-point colours; empty to use `outline_color` for every point. */
  outline_colors: Color[];
  fill_color: Color;
  /** Pixels. */
  thickness: number;
}

/** foxglove_msgs/msg/TextAnnotation. */
export interface TextAnnotation {
  timestamp: Time;
  /** Bottom-left corner of the text, in pixels. */
  position: Point2;
  text: string;
  /** Pixels. */
  font_size: number;
  text_color: Color;
  background_color: Color;
}

/** foxglove_msgs/msg/ImageAnnotations. */
export interface ImageAnnotations {
  circles: CircleAnnotation[];
  points: PointsAnnotation[];
  texts: TextAnnotation[];
}

/** Values of GroundingResult.status, as in softskip_msgs/msg/GroundingResult. */
export const GROUNDING_STATUS = {
  GROUNDED: 0,
  NOT_FOUND: 1,
  NO_IMAGE: 2,
  REJECTED_INPUT: 3,
} as const;

export type GroundingStatusCode = (typeof GROUNDING_STATUS)[keyof typeof GROUNDING_STATUS];

/** softskip_msgs/msg/GroundingResult. */
export interface GroundingResult {
  /** Header of the image the box refers to. */
  header: Header;
  transcript: string;
  expression: string;
  /** One of GROUNDING_STATUS. */
  status: number;
  /** Box in the original image's pixels: centre and size. */
  bbox: BoundingBox2D;
  /** Grounding probability in 0..1. */
  score: number;
  executed_blocks: string[];
  /** Executed FLOPs / FLOPs of the full model. */
  compute_ratio: number;
  /** End-to-end latency from frame arrival to result, in ms. */
  latency_ms: number;
  /** Latency budget in force for this frame, in ms. */
  budget_ms: number;
  policy: string;
  command_id: number;
}

/** softskip_msgs/srv/Ground request. */
export interface GroundRequest {
  text: string;
  /** Policy name; empty uses the node's `policy` parameter. */
  policy: string;
  /** Image to ground on; empty `data` uses the latest received frame. */
  image: Image;
}

/** softskip_msgs/srv/Ground response. */
export interface GroundResponse {
  result: GroundingResult;
}

/** rosgraph_msgs/msg/Clock. */
export interface Clock {
  clock: Time;
}
