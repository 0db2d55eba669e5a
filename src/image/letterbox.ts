import { performance } from "node:perf_hooks";

import { ArgumentError } from "../errors";
import type { Box, ImageInput } from "../runtime/types";
import { MAX_IMAGE_SIDE } from "./encodings";
import { createInputPipeline } from "./pipeline";
import type { InputPipeline } from "./pipeline";
import type { LetterboxResult, LetterboxTarget, LetterboxTransform } from "./types";

export function checkTarget(target: LetterboxTarget): void {
  for (const side of ["width", "height"] as const) {
    const value = target[side];
    if (!Number.isInteger(value) || value < 1 || value > MAX_IMAGE_SIDE) {
      throw new ArgumentError(
        `Invalid letterbox target ${side} ${value}: expected a whole number of pixels in 1..${MAX_IMAGE_SIDE}.`,
      );
    }
  }
  if (!Number.isInteger(target.padValue) || target.padValue < 0 || target.padValue > 255) {
    throw new ArgumentError(`Invalid letterbox padValue ${target.padValue}: expected a whole number in 0..255.`);
  }
}

function checkPositiveSize(width: number, height: number): void {
  if (!(Number.isFinite(width) && width > 0 && Number.isFinite(height) && height > 0)) {
    throw new ArgumentError(`Invalid original image size ${width}x${height}: expected positive pixel counts.`);
  }
}

/**
 * Computes the centred, aspect-preserving letterbox of an image into `target`. The resized
 * size is rounded to whole pixels (at least 1) and the padding split with the extra pixel,
 * if any, on the right or bottom.
 */
export function computeLetterboxTransform(
  originalWidth: number,
  originalHeight: number,
  target: Pick<LetterboxTarget, "width" | "height">,
): LetterboxTransform {
  checkPositiveSize(originalWidth, originalHeight);

  const scale = Math.min(target.width / originalWidth, target.height / originalHeight);
  const resizedWidth = Math.min(target.width, Math.max(1, Math.round(originalWidth * scale)));
  const resizedHeight = Math.min(target.height, Math.max(1, Math.round(originalHeight * scale)));
  return {
    scale,
    scaleX: resizedWidth / originalWidth,
    scaleY: resizedHeight / originalHeight,
    padX: Math.floor((target.width - resizedWidth) / 2),
    padY: Math.floor((target.height - resizedHeight) / 2),
    resizedWidth,
    resizedHeight,
    targetWidth: target.width,
    targetHeight: target.height,
  };
}

/**
 * Decodes an image and letterboxes it into the model input in one sharp pipeline: decode,
 * crop of row padding, channel conversion, resize and padding run in libvips without
 * intermediate JavaScript copies of the pixels. The resize is explicit (fit "fill" to the
 * computed size, then `extend`) rather than fit "contain", so that the returned transform
 * matches the pixels exactly instead of relying on sharp's own rounding.
 */
export async function letterboxImage(
  input: ImageInput,
  target: LetterboxTarget,
  source: string,
): Promise<LetterboxResult> {
  checkTarget(target);

  const decodeStart = performance.now();
  const pipeline = await createInputPipeline(input, source);
  return letterboxPipeline(pipeline, target, decodeStart);
}

/** Adds the resize and padding to a decoding pipeline and runs it; `decodeStart` is when validation began. */
export async function letterboxPipeline(pipeline: InputPipeline, target: LetterboxTarget, decodeStart: number): Promise<LetterboxResult> {
  const transform = computeLetterboxTransform(pipeline.width, pipeline.height, target);
  const resizeStart = performance.now();

  const grey = { r: target.padValue, g: target.padValue, b: target.padValue, alpha: 1 };
  pipeline.image
    .resize(transform.resizedWidth, transform.resizedHeight, { fit: "fill" })
    .extend({
      top: transform.padY,
      bottom: target.height - transform.resizedHeight - transform.padY,
      left: transform.padX,
      right: target.width - transform.resizedWidth - transform.padX,
      background: grey,
    });
  const output = await pipeline.toRgb();
  const resizeEnd = performance.now();

  return {
    rgb: output.data,
    transform,
    originalWidth: pipeline.width,
    originalHeight: pipeline.height,
    decodeMs: resizeStart - decodeStart,
    resizeMs: resizeEnd - resizeStart,
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * Maps a box given by centre and size in model-input pixels back to the original image:
 * top-left box in original pixels, clamped to the image, so width or height may be 0 for a
 * box entirely in the padding. Throws ArgumentError for non-finite values.
 */
export function boxFromModelPixels(
  cx: number,
  cy: number,
  w: number,
  h: number,
  transform: LetterboxTransform,
  originalWidth: number,
  originalHeight: number,
): Box {
  const values = { cx, cy, w, h };
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) {
      throw new ArgumentError(`Invalid model box ${name} ${value}: expected a finite number of model pixels.`);
    }
  }
  checkPositiveSize(originalWidth, originalHeight);

  const left = clamp((cx - w / 2 - transform.padX) / transform.scaleX, 0, originalWidth);
  const right = clamp((cx + w / 2 - transform.padX) / transform.scaleX, 0, originalWidth);
  const top = clamp((cy - h / 2 - transform.padY) / transform.scaleY, 0, originalHeight);
  const bottom = clamp((cy + h / 2 - transform.padY) / transform.scaleY, 0, originalHeight);
  return { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

/** Inverse of `boxFromModelPixels` for boxes inside the image: centre and size in model pixels. */
export function modelPixelsFromBox(
  box: Box,
  transform: LetterboxTransform,
): { cx: number; cy: number; w: number; h: number } {
  return {
    cx: (box.x + box.width / 2) * transform.scaleX + transform.padX,
    cy: (box.y + box.height / 2) * transform.scaleY + transform.padY,
    w: box.width * transform.scaleX,
    h: box.height * transform.scaleY,
  };
}
