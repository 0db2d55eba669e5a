/**
 * Pure converters from grounding stream events to the published ROS messages
 * (softskip_msgs/GroundingResult, vision_msgs/Detection2DArray,
 * foxglove_msgs/ImageAnnotations). The ROS node and bag replay both use them, so a live
 * robot and a replayed bag publish identical messages for the same events.
 */
import type {
  BoundingBox2D,
  Color,
  Detection2DArray,
  GroundingResult,
  Header,
  ImageAnnotations,
  PointsAnnotation,
  TextAnnotation,
} from "../msgs";
import { boundingBoxFromBox, GROUNDING_STATUS, POINTS_ANNOTATION_TYPE } from "../msgs";
import type { Box, PolicyName } from "../runtime/types";
import type { GroundingEvent, RejectionEvent } from "../stream/types";

/** Class id of the single detection in `~/detections`: the referred object has no class. */
export const REFERENT_CLASS_ID = "referent";

const GROUNDED_COLOR: Color = { r: 0.1, g: 0.9, b: 0.2, a: 1 };
const NOT_FOUND_COLOR: Color = { r: 1, g: 0.6, b: 0, a: 1 };
const TEXT_BACKGROUND: Color = { r: 0, g: 0, b: 0, a: 0.6 };
const TRANSPARENT: Color = { r: 0, g: 0, b: 0, a: 0 };

/** Label font size and box line width, in image pixels. */
const FONT_SIZE_PX = 16;
const LINE_WIDTH_PX = 3;

/** Converts a top-left box in pixels to a BoundingBox2D; no box gives an all-zero one. */
export function boundingBoxOrEmpty(box: Box | null): BoundingBox2D {
  if (box === null) {
    return { center: { position: { x: 0, y: 0 }, theta: 0 }, size_x: 0, size_y: 0 };
  }
  return boundingBoxFromBox(box);
}

/** Builds `~/result` for a grounded or not-found frame; the header is the image's. */
export function groundingResultFromEvent(event: GroundingEvent): GroundingResult {
  const output = event.output;
  const grounded = output.status === "grounded";
  return {
    header: copyHeader(event.header),
    transcript: event.command.transcript,
    expression: event.command.expression,
    status: grounded ? GROUNDING_STATUS.GROUNDED : GROUNDING_STATUS.NOT_FOUND,
    bbox: boundingBoxOrEmpty(output.box),
    score: output.score,
    executed_blocks: [...output.executedBlocks],
    compute_ratio: output.computeRatio,
    latency_ms: event.endToEndMs,
    budget_ms: event.budgetMs,
    policy: output.policy,
    command_id: event.command.id,
  };
}

/** Fields a result carries when no frame was grounded. */
export interface UngroundedResultFields {
  header: Header;
  transcript: string;
  expression: string;
  policy: PolicyName;
  budgetMs: number;
  commandId: number;
}

/** Builds `~/result` with status NO_IMAGE: a command arrived before any frame, or its frames were older than max_image_age_ms. */
export function noImageResult(fields: UngroundedResultFields): GroundingResult {
  return ungroundedResult(fields, GROUNDING_STATUS.NO_IMAGE);
}

/**
 * Builds `~/result` with status REJECTED_INPUT for a message the stream could not use.
 * The header is the rejected image's when there is one, else `fields.header`.
 */
export function rejectedInputResult(event: RejectionEvent, fields: UngroundedResultFields): GroundingResult {
  const header = event.header ?? fields.header;
  return ungroundedResult({ ...fields, header }, GROUNDING_STATUS.REJECTED_INPUT);
}

function ungroundedResult(fields: UngroundedResultFields, status: number): GroundingResult {
  return {
    header: copyHeader(fields.header),
    transcript: fields.transcript,
    expression: fields.expression,
    status,
    bbox: boundingBoxOrEmpty(null),
    score: 0,
    executed_blocks: [],
    compute_ratio: 0,
    latency_ms: 0,
    budget_ms: fields.budgetMs,
    policy: fields.policy,
    command_id: fields.commandId,
  };
}

/**
 * Builds the `~/detections` and `~/annotations` that end a command: both empty, so that
 * planners see nothing targeted and Foxglove removes the last box.
 */
export function commandEndedMessages(header: Header): { detections: Detection2DArray; annotations: ImageAnnotations } {
  return { detections: { header, detections: [] }, annotations: emptyAnnotations() };
}

function emptyAnnotations(): ImageAnnotations {
  return { circles: [], points: [], texts: [] };
}

/**
 * Builds `~/detections`: one detection for a grounded frame and none otherwise, so that a
 * consumer of vision_msgs never receives a box below the minimum score.
 */
export function detectionsFromEvent(event: GroundingEvent): Detection2DArray {
  const header = copyHeader(event.header);
  const output = event.output;
  if (output.status !== "grounded" || output.box === null) {
    return { header, detections: [] };
  }
  return {
    header,
    detections: [
      {
        header: copyHeader(event.header),
        results: [
          {
            hypothesis: { class_id: REFERENT_CLASS_ID, score: output.score },
            pose: {
              pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
              covariance: new Array<number>(36).fill(0),
            },
          },
        ],
        bbox: boundingBoxOrEmpty(output.box),
        id: String(event.command.id),
      },
    ],
  };
}

/**
 * Builds `~/annotations` for Foxglove's image panel: the box as a closed line and a label
 * with the expression and score. A not-found frame shows the best box below the minimum
 * score in orange, so an operator can see what the model considered.
 */
export function annotationsFromEvent(event: GroundingEvent): ImageAnnotations {
  const output = event.output;
  const stamp = { ...event.header.stamp };
  if (output.box === null) {
    return emptyAnnotations();
  }

  const box = output.box;
  const grounded = output.status === "grounded";
  const color = grounded ? GROUNDED_COLOR : NOT_FOUND_COLOR;
  const outline: PointsAnnotation = {
    timestamp: stamp,
    type: POINTS_ANNOTATION_TYPE.LINE_LOOP,
    points: [
      { x: box.x, y: box.y },
      { x: box.x + box.width, y: box.y },
      { x: box.x + box.width, y: box.y + box.height },
      { x: box.x, y: box.y + box.height },
    ],
    outline_color: color,
    outline_colors: [],
    fill_color: TRANSPARENT,
    thickness: LINE_WIDTH_PX,
  };

  const prefix = grounded ? "" : "not found: ";
  const label: TextAnnotation = {
    timestamp: stamp,
    position: { x: box.x, y: Math.max(FONT_SIZE_PX, box.y - LINE_WIDTH_PX) },
    text: `${prefix}${event.command.expression} (${output.score.toFixed(2)})`,
    font_size: FONT_SIZE_PX,
    text_color: color,
    background_color: TEXT_BACKGROUND,
  };
  return { circles: [], points: [outline], texts: [label] };
}

function copyHeader(header: Header): Header {
  return { stamp: { sec: header.stamp.sec, nanosec: header.stamp.nanosec }, frame_id: header.frame_id };
}
