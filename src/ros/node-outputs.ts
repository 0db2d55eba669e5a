/**
 * The node's publishers and what it publishes for each stream event: `~/result`,
 * `~/detections`, `~/annotations` and, when enabled, `~/debug_image` drawn onto the frame
 * the result refers to.
 */
import { describeError } from "../errors";
import type { Logger, RateLimitedLog } from "../log";
import type { Detection2DArray, DiagnosticArray, GroundingResult, Header, Image, ImageAnnotations } from "../msgs";
import { annotationsFromEvent, commandEndedMessages, detectionsFromEvent, groundingResultFromEvent } from "../output";
import type { FrameInput, GroundingEvent } from "../stream/types";
import {
  ANNOTATIONS_TOPIC,
  DEBUG_IMAGE_TOPIC,
  DETECTIONS_TOPIC,
  DIAGNOSTICS_TOPIC,
  RESULT_TOPIC,
} from "./topics";
import type { RosTransport, TopicPublisher } from "./transport";

/** Draws a result onto its frame for `~/debug_image`; returns an rgb8 sensor_msgs/Image. */
export type RenderDebugImage = (frame: FrameInput, event: GroundingEvent) => Promise<Image>;

/**
 * Frames kept for `~/debug_image`, so a result can be drawn onto the frame it refers to.
 * A result's frame can be max_image_age_ms plus one inference old, so frames are kept by
 * age. The count limit bounds memory for fast cameras.
 */
const DEBUG_FRAME_MAX_AGE_MS = 2000;
const DEBUG_FRAME_CACHE = 64;

/** Publishers that exist while the node is configured. */
export class NodeOutputs {
  readonly result: TopicPublisher<GroundingResult>;
  readonly diagnostics: TopicPublisher<DiagnosticArray>;
  private readonly detections: TopicPublisher<Detection2DArray>;
  private readonly annotations: TopicPublisher<ImageAnnotations>;
  private readonly debugImage: TopicPublisher<Image> | undefined;
  /** Recent frames by header, kept only while `~/debug_image` is on. */
  private readonly recentFrames = new Map<string, FrameInput>();
  private disposed = false;

  constructor(
    transport: RosTransport,
    publishDebugImage: boolean,
    private readonly renderDebugImage: RenderDebugImage | undefined,
    private readonly warnings: RateLimitedLog,
  ) {
    this.result = transport.advertise<GroundingResult>(RESULT_TOPIC);
    this.detections = transport.advertise<Detection2DArray>(DETECTIONS_TOPIC);
    this.annotations = transport.advertise<ImageAnnotations>(ANNOTATIONS_TOPIC);
    this.diagnostics = transport.advertise<DiagnosticArray>(DIAGNOSTICS_TOPIC);
    if (publishDebugImage) {
      if (renderDebugImage === undefined) {
        transport.logger.warn("publish_debug_image is true but this build has no debug image renderer; ~/debug_image stays silent.");
      }
      this.debugImage = transport.advertise<Image>(DEBUG_IMAGE_TOPIC);
    }
  }

  /** Keeps `frame` for drawing `~/debug_image`, when that topic is on. */
  rememberFrame(frame: FrameInput): void {
    if (this.debugImage === undefined) {
      return;
    }
    this.recentFrames.set(headerKey(frame.header), frame);
    for (const [key, kept] of this.recentFrames) {
      if (this.recentFrames.size <= DEBUG_FRAME_CACHE && frame.receivedAtMs - kept.receivedAtMs <= DEBUG_FRAME_MAX_AGE_MS) {
        break;
      }
      this.recentFrames.delete(key);
    }
  }

  forgetFrames(): void {
    this.recentFrames.clear();
  }

  /** Publishes a grounded or not-found frame on every output topic. */
  publishGrounding(event: GroundingEvent): void {
    this.result.publish(groundingResultFromEvent(event));
    this.detections.publish(detectionsFromEvent(event));
    this.annotations.publish(annotationsFromEvent(event));
    this.publishDebugImage(event);
  }

  /** Clears the box of a command that ended; Foxglove otherwise keeps drawing it over new frames. */
  publishCommandEnded(header: Header): void {
    const { detections, annotations } = commandEndedMessages(header);
    this.detections.publish(detections);
    this.annotations.publish(annotations);
  }

  dispose(): void {
    this.disposed = true;
    for (const publisher of [this.result, this.detections, this.annotations, this.diagnostics, this.debugImage]) {
      publisher?.dispose();
    }
    this.recentFrames.clear();
  }

  private publishDebugImage(event: GroundingEvent): void {
    const publisher = this.debugImage;
    const render = this.renderDebugImage;
    const frame = this.recentFrames.get(headerKey(event.header));
    if (publisher === undefined || render === undefined || frame === undefined) {
      return;
    }
    render(frame, event)
      .then((image) => {
        // Drawing takes tens of ms, and a deactivated node has released the publisher by then.
        if (!this.disposed) {
          publisher.publish(image);
        }
      })
      .catch((error: unknown) => this.warnings.warn("debug_image", `Publishing ~/debug_image failed: ${describeError(error)}`));
  }
}

/**
 * Drops the stream's own rejection lines, because the node logs every rejection with its
 * topic and field. The stream's line lacks the topic when the decoder did not name it.
 */
export function withoutRejectionLines(logger: Logger): Logger {
  return {
    debug: (message) => logger.debug(message),
    info: (message) => logger.info(message),
    warn: (message) => {
      if (!message.startsWith("Rejected input: ")) {
        logger.warn(message);
      }
    },
    error: (message) => logger.error(message),
  };
}

function headerKey(header: Header): string {
  return `${header.frame_id}@${header.stamp.sec}.${header.stamp.nanosec}`;
}
