/**
 * Writes replay results into an MCAP bag with the node's published topics, so that the
 * bag opens in Foxglove with the boxes over the camera. Writes are queued in order
 * because McapWriter calls must not overlap.
 */
import { McapBagWriter, type ChunkCompression, type QosProfile } from "../bag";
import {
  annotationsFromEvent,
  commandEndedMessages,
  detectionsFromEvent,
  groundingResultFromEvent,
  noImageResult,
  rejectedInputResult,
  type UngroundedResultFields,
} from "../output";
import { serializeMessage, toAsciiText, type Header } from "../msgs";
import type { GroundingEvent, RejectionEvent } from "../stream/types";

/** The node's private topics (`~/result` and so on) resolved for node `softskip_grounding`. */
export const OUTPUT_TOPICS = {
  result: { name: "/softskip_grounding/result", type: "softskip_msgs/msg/GroundingResult" },
  detections: { name: "/softskip_grounding/detections", type: "vision_msgs/msg/Detection2DArray" },
  annotations: { name: "/softskip_grounding/annotations", type: "foxglove_msgs/msg/ImageAnnotations" },
} as const;

export class OutputBag {
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(private readonly writer: McapBagWriter) {}

  static async create(path: string, compression: ChunkCompression = "zstd"): Promise<OutputBag> {
    const writer = await McapBagWriter.create(path, { compression });
    try {
      for (const topic of Object.values(OUTPUT_TOPICS)) {
        await writer.addTopic(topic);
      }
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return new OutputBag(writer);
  }

  get path(): string {
    return this.writer.path;
  }

  /** Registers an input topic copied with --include-input, keeping its recorded QoS. */
  addInputTopic(name: string, type: string, qos: QosProfile[]): void {
    this.enqueue(async () => {
      await this.writer.addTopic({ name, type, qos: qos.length > 0 ? qos : undefined });
    });
  }

  /** Copies an input message's CDR bytes unchanged. */
  writeInput(topic: string, logTimeNs: bigint, data: Uint8Array): void {
    this.enqueue(() => this.writer.write(topic, logTimeNs, data));
  }

  /** Writes ~/result, ~/detections and ~/annotations for one result at `logTimeNs`. */
  writeResult(event: GroundingEvent, logTimeNs: bigint): void {
    this.writeMessages(logTimeNs, [
      [OUTPUT_TOPICS.result, groundingResultFromEvent(event)],
      [OUTPUT_TOPICS.detections, detectionsFromEvent(event)],
      [OUTPUT_TOPICS.annotations, annotationsFromEvent(event)],
    ]);
  }

  /** Writes the empty ~/detections and ~/annotations that the node publishes when a command ends. */
  writeCommandEnded(header: Header, logTimeNs: bigint): void {
    const { detections, annotations } = commandEndedMessages(header);
    this.writeMessages(logTimeNs, [
      [OUTPUT_TOPICS.detections, detections],
      [OUTPUT_TOPICS.annotations, annotations],
    ]);
  }

  private writeMessages(logTimeNs: bigint, messages: readonly (readonly [{ name: string; type: string }, object])[]): void {
    for (const [topic, message] of messages) {
      const data = serializeMessage(topic.type, withAsciiStrings(message));
      this.enqueue(() => this.writer.write(topic.name, logTimeNs, data));
    }
  }

  /** Writes a ~/result with status REJECTED_INPUT, as the node publishes for a bad frame. */
  writeRejection(event: RejectionEvent, fields: UngroundedResultFields, logTimeNs: bigint): void {
    const data = serializeMessage(OUTPUT_TOPICS.result.type, withAsciiStrings(rejectedInputResult(event, fields)));
    this.enqueue(() => this.writer.write(OUTPUT_TOPICS.result.name, logTimeNs, data));
  }

  /** Writes a ~/result with status NO_IMAGE, as the node publishes for a command without a usable frame. */
  writeNoImage(fields: UngroundedResultFields, logTimeNs: bigint): void {
    const data = serializeMessage(OUTPUT_TOPICS.result.type, withAsciiStrings(noImageResult(fields)));
    this.enqueue(() => this.writer.write(OUTPUT_TOPICS.result.name, logTimeNs, data));
  }

  /** Waits for queued writes, then closes and renames the bag; throws the first write error. */
  async close(): Promise<void> {
    await this.queue;
    if (this.failure !== undefined) {
      await this.writer.abort();
      throw this.failure;
    }
    await this.writer.close();
  }

  /** Deletes the temporary file after queued writes settle. */
  async abort(): Promise<void> {
    await this.queue;
    await this.writer.abort();
  }

  private enqueue(write: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.failure !== undefined) {
        return;
      }
      try {
        await write();
      } catch (error) {
        this.failure = error;
      }
    });
  }
}

/**
 * Returns a copy of a message with every string converted by toAsciiText, because the CDR
 * writer (@foxglove/cdr 3.5.0) corrupts non-ASCII strings and serializeMessage rejects them.
 * Transcripts are free text from a speech recogniser, so a bag's "café" is written "cafe".
 */
function withAsciiStrings<T>(message: T): T {
  const convert = (value: unknown): unknown => {
    if (typeof value === "string") {
      return toAsciiText(value);
    }
    if (Array.isArray(value)) {
      return value.map(convert);
    }
    if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, convert(field)]));
    }
    return value;
  };
  return convert(message) as T;
}
