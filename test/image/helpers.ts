/** Builders of raw test images in each sensor_msgs encoding from one RGB picture. */
import type { RawImageInput } from "../../src/runtime/types";

/** Builds an RGB picture whose neighbouring pixels differ, so swapped channels or rows show up. */
export function rgbPattern(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      data[offset] = (x * 37 + 11) % 256;
      data[offset + 1] = (y * 53 + 7) % 256;
      data[offset + 2] = (x * 13 + y * 29 + 101) % 256;
    }
  }
  return data;
}

/**
 * Channel bytes of one RGB pixel in an encoding; grey uses the pixel's red value and alpha
 * is opaque (255), as RGBA cameras publish it.
 */
function pixelBytes(encoding: string, r: number, g: number, b: number, alpha = 255): number[] {
  switch (encoding) {
    case "rgb8":
      return [r, g, b];
    case "bgr8":
    case "8UC3":
      return [b, g, r];
    case "rgba8":
      return [r, g, b, alpha];
    case "bgra8":
      return [b, g, r, alpha];
    case "mono8":
    case "8UC1":
      return [r];
    default:
      throw new Error(`test helper has no layout for ${encoding}`);
  }
}

/** Encodes an RGB picture as a raw message, with `extraStepBytes` of 0xAB padding per row. */
export function rawImage(rgb: Buffer, width: number, height: number, encoding: string, extraStepBytes = 0): RawImageInput {
  const channels = pixelBytes(encoding, 0, 0, 0).length;
  const step = width * channels + extraStepBytes;
  const data = new Uint8Array(step * height).fill(0xab);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const source = (y * width + x) * 3;
      data.set(pixelBytes(encoding, rgb[source], rgb[source + 1], rgb[source + 2]), y * step + x * channels);
    }
  }
  return { kind: "raw", encoding, width, height, step, isBigEndian: false, data };
}

/** Grey version of `rgbPattern` as decoded from mono8: the red value on every channel. */
export function greyFromRed(rgb: Buffer): Buffer {
  const grey = Buffer.alloc(rgb.length);
  for (let offset = 0; offset < rgb.length; offset += 3) {
    grey.fill(rgb[offset], offset, offset + 3);
  }
  return grey;
}

/** Largest absolute difference between two byte buffers of the same length. */
export function maxDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new Error(`length ${a.length} differs from ${b.length}`);
  }
  let max = 0;
  for (let index = 0; index < a.length; index += 1) {
    max = Math.max(max, Math.abs(a[index] - b[index]));
  }
  return max;
}

/** Returns the RGB values of pixel (x, y) in a tightly packed RGB8 buffer. */
export function pixelAt(rgb: Uint8Array, width: number, x: number, y: number): number[] {
  const offset = (y * width + x) * 3;
  return Array.from(rgb.subarray(offset, offset + 3));
}
