import { describeError, InputError } from "../errors";
import type { FrameInput, RejectionEvent, TranscriptInput } from "./types";

/**
 * Returns a rejection for a frame the stream cannot schedule (non-finite stamp or arrival
 * time, no image), or null. Pixel checks belong to the engine, which decodes only the
 * frames that are processed.
 */
export function checkFrame(frame: FrameInput): RejectionEvent | null {
  const topic = typeof frame?.topic === "string" ? frame.topic : "image";
  const stamp = frame?.header?.stamp;
  for (const field of ["sec", "nanosec"] as const) {
    const value: unknown = stamp?.[field];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return {
        kind: "rejected",
        topic,
        field: `header.stamp.${field}`,
        reason: "non_finite_stamp",
        message: `Frame on ${topic} has header.stamp.${field} = ${String(value)}; stamps must be finite numbers (decoders that produce {sec, nsec} must rename nsec to nanosec).`,
      };
    }
  }

  if (typeof frame.receivedAtMs !== "number" || !Number.isFinite(frame.receivedAtMs)) {
    return {
      kind: "rejected",
      topic,
      field: "receivedAtMs",
      reason: "non_finite_time",
      message: `Frame on ${topic} has receivedAtMs = ${String(frame.receivedAtMs)}; the transport must stamp arrival with the stream scheduler's now().`,
      header: frame.header,
    };
  }

  if (typeof frame.image !== "object" || frame.image === null) {
    return {
      kind: "rejected",
      topic,
      field: "image",
      reason: "missing_image",
      message: `Frame on ${topic} has no image (received ${String(frame.image)}); pass the undecoded message as an ImageInput.`,
      header: frame.header,
    };
  }
  return null;
}

/** Returns a rejection for a transcript without a finite arrival time, or null. */
export function checkTranscriptTime(transcript: TranscriptInput): RejectionEvent | null {
  const topic = typeof transcript?.topic === "string" ? transcript.topic : "transcript";
  if (typeof transcript?.receivedAtMs === "number" && Number.isFinite(transcript.receivedAtMs)) {
    return null;
  }
  return {
    kind: "rejected",
    topic,
    field: "receivedAtMs",
    reason: "non_finite_time",
    message: `Transcript on ${topic} has receivedAtMs = ${String(transcript?.receivedAtMs)}; the transport must stamp arrival with the stream scheduler's now().`,
  };
}

/**
 * Turns an error raised for one message into its rejection. InputError keeps its field
 * and reason; anything else is reported under `fallbackReason`.
 */
export function rejectionFromError(
  error: unknown,
  topic: string,
  fallbackField: string,
  fallbackReason: string,
): RejectionEvent {
  if (error instanceof InputError) {
    return { kind: "rejected", topic, field: error.field, reason: error.reason, message: error.message };
  }
  return { kind: "rejected", topic, field: fallbackField, reason: fallbackReason, message: describeError(error) };
}
