/**
 * Converts messages as rclnodejs delivers them into the stream's FrameInput and
 * TranscriptInput. rclnodejs delivers plain objects, with `uint8[]` as a Uint8Array (an
 * Array when typed arrays are off). Only the shape is checked here, because src/image
 * decodes the pixels, and only for frames the stream processes.
 */
import { ArgumentError, InputError } from "../errors";
import type { CompressedImage, Header, Image } from "../msgs";
import { stampFromMessage } from "../msgs";
import type { FrameInput, TranscriptInput } from "../stream/types";

/** Converts a sensor_msgs/Image or CompressedImage message into a frame for the stream. */
export function frameFromMessage(
  message: unknown,
  kind: "raw" | "compressed",
  topic: string,
  receivedAtMs: number,
): FrameInput {
  const fields = asRecord(message, topic, "message");
  const header = headerFromMessage(fields.header, topic);
  const data = bytesFromField(fields.data, topic);

  if (kind === "compressed") {
    const image = fields as unknown as CompressedImage;
    return { header, receivedAtMs, topic, image: { kind: "compressed", format: String(image.format ?? ""), data } };
  }

  const image = fields as unknown as Image;
  return {
    header,
    receivedAtMs,
    topic,
    image: {
      kind: "raw",
      encoding: String(image.encoding ?? ""),
      width: Number(image.width),
      height: Number(image.height),
      step: Number(image.step),
      isBigEndian: Number(image.is_bigendian) !== 0,
      data,
    },
  };
}

/** Converts a std_msgs/String message into a transcript for the stream. */
export function transcriptFromMessage(message: unknown, topic: string, receivedAtMs: number): TranscriptInput {
  const fields = asRecord(message, topic, "message");
  if (typeof fields.data !== "string") {
    throw new InputError(topic, "data", "invalid_type", `Rejected ${topic}: field data must be a string but is ${typeof fields.data}.`);
  }
  return { text: fields.data, receivedAtMs, topic };
}

/** Reads a std_msgs/Header, carrying a `nanosec` of 1e9 or more into `sec`. */
export function headerFromMessage(value: unknown, topic: string): Header {
  const header = asRecord(value, topic, "header");
  let stamp;
  try {
    stamp = stampFromMessage(header.stamp);
  } catch (error) {
    if (error instanceof ArgumentError) {
      throw new InputError(topic, "header.stamp", "invalid_stamp", `Rejected ${topic}: ${error.message}`);
    }
    throw error;
  }
  const frameId = typeof header.frame_id === "string" ? header.frame_id : "";
  return { stamp, frame_id: frameId };
}

function bytesFromField(value: unknown, topic: string): Uint8Array {
  if (value instanceof Uint8Array) {
    return value;
  }
  if (Array.isArray(value)) {
    return Uint8Array.from(value as number[]);
  }
  throw new InputError(topic, "data", "invalid_type", `Rejected ${topic}: field data must be a byte array but is ${typeof value}.`);
}

function asRecord(value: unknown, topic: string, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null) {
    throw new InputError(topic, field, "invalid_type", `Rejected ${topic}: ${field} must be an object but is ${String(value)}.`);
  }
  return value as Record<string, unknown>;
}
