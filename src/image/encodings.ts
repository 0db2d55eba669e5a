import { InputError } from "../errors";
import type { RawImageInput } from "../runtime/types";

/** Largest accepted width or height, in pixels; larger values are treated as corrupt headers. */
export const MAX_IMAGE_SIDE = 8192;

/**
 * Smallest width or height the engine grounds in, in pixels: one cell of the coarsest
 * (stride 32) grid. A smaller picture is far below the detail the model was trained on,
 * and is more likely a driver's placeholder or an accidental crop than a camera frame.
 */
export const MIN_GROUNDING_SIDE = 32;

/** Rejects an image too small to ground in, naming its size and what to check. */
export function checkGroundingSize(width: number, height: number, source: string): void {
  if (width >= MIN_GROUNDING_SIDE && height >= MIN_GROUNDING_SIDE) {
    return;
  }
  throw new InputError(
    source,
    width < MIN_GROUNDING_SIDE ? "width" : "height",
    "too_small",
    `Image ${width}x${height} on ${source} is too small to ground in: the model needs at least ${MIN_GROUNDING_SIDE} pixels per side; ` +
      "check the camera's resolution, or pass the whole picture rather than a crop.",
  );
}

export type ChannelOrder = "rgb" | "bgr" | "rgba" | "bgra" | "mono";

export interface RawEncoding {
  channels: 1 | 3 | 4;
  order: ChannelOrder;
}

/**
 * 8-bit encodings that decode to RGB. `8UC1` and `8UC3` are OpenCV's type names: cv_bridge
 * publishes them for images without a declared encoding, and OpenCV stores colour as BGR.
 */
const RAW_ENCODINGS: Readonly<Record<string, RawEncoding>> = {
  rgb8: { channels: 3, order: "rgb" },
  bgr8: { channels: 3, order: "bgr" },
  rgba8: { channels: 4, order: "rgba" },
  bgra8: { channels: 4, order: "bgra" },
  mono8: { channels: 1, order: "mono" },
  "8UC1": { channels: 1, order: "mono" },
  "8UC3": { channels: 3, order: "bgr" },
};

export const SUPPORTED_RAW_ENCODINGS: readonly string[] = Object.keys(RAW_ENCODINGS);

/** Looks up a raw encoding; throws InputError("encoding", "unsupported_encoding") for any other. */
export function rawEncoding(encoding: string, source: string): RawEncoding {
  const found = Object.hasOwn(RAW_ENCODINGS, encoding) ? RAW_ENCODINGS[encoding] : undefined;
  if (found === undefined) {
    throw new InputError(
      source,
      "encoding",
      "unsupported_encoding",
      `Unsupported image encoding ${JSON.stringify(encoding)} on ${source}: supported encodings are ` +
        `${SUPPORTED_RAW_ENCODINGS.join(", ")}. Publish one of them (for example with image_proc) ` +
        `or use the compressed transport.`,
    );
  }
  return found;
}

/**
 * Checks that `data` is a Uint8Array (a Buffer is one), as a JSON or plain-array caller
 * may pass numbers instead. `what` starts the message, such as "Image data".
 */
export function requireBytes(data: unknown, what: string, source: string): void {
  if (!(data instanceof Uint8Array)) {
    throw new InputError(
      source,
      "data",
      "invalid_data",
      `${what} on ${source} is ${Array.isArray(data) ? "an array of numbers" : typeof data}, not bytes: pass a Uint8Array or Buffer.`,
    );
  }
}

/** Checks that a width or height is a whole number in 1..MAX_IMAGE_SIDE. */
export function checkImageSide(value: number, field: "width" | "height", source: string): void {
  if (!Number.isInteger(value)) {
    throw new InputError(
      source,
      field,
      "invalid_size",
      `Invalid image ${field} ${value} on ${source}: expected a whole number of pixels.`,
    );
  }
  if (value < 1 || value > MAX_IMAGE_SIDE) {
    throw new InputError(
      source,
      field,
      "invalid_size",
      `Invalid image ${field} ${value} on ${source}: expected 1..${MAX_IMAGE_SIDE} pixels; downscale the image first (the model reads it at a few hundred pixels).`,
    );
  }
}

/**
 * Validates a sensor_msgs/Image-style input and returns its encoding. `is_bigendian` is
 * accepted either way because byte order does not matter for 8-bit channels. Data longer
 * than `step * height` is accepted and the tail ignored, because the rows are well defined.
 */
export function validateRawImage(input: RawImageInput, source: string): RawEncoding {
  const encoding = rawEncoding(input.encoding, source);
  checkImageSide(input.width, "width", source);
  checkImageSide(input.height, "height", source);

  const rowBytes = input.width * encoding.channels;
  if (!Number.isInteger(input.step) || input.step < rowBytes) {
    throw new InputError(
      source,
      "step",
      "invalid_step",
      `Invalid image step ${input.step} on ${source}: ${input.encoding} at width ${input.width} needs ` +
        `at least ${rowBytes} bytes per row (width * ${encoding.channels}).`,
    );
  }

  requireBytes(input.data, "Image data", source);
  const needed = input.step * input.height;
  if (input.data.byteLength < needed) {
    throw new InputError(
      source,
      "data",
      "size_mismatch",
      `Image data on ${source} has ${input.data.byteLength} bytes but step * height = ` +
        `${input.step} * ${input.height} = ${needed}: the message is truncated or its size fields are wrong.`,
    );
  }
  return encoding;
}
