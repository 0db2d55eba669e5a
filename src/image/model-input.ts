import { performance } from "node:perf_hooks";

import type { ImageInput } from "../runtime/types";
import { validateRawImage } from "./encodings";
import { checkTarget, computeLetterboxTransform, letterboxPipeline } from "./letterbox";
import { createInputPipeline } from "./pipeline";
import type { RawPixels } from "./raw-tensor";
import type { LetterboxTarget, LetterboxTransform } from "./types";

/**
 * Smallest scale at which decoded pixels are letterboxed by `rawToInputTensor` rather
 * than by sharp. Shrinking further, bilinear sampling would skip source pixels, and
 * sharp's resize antialiases and shrinks JPEG while decoding.
 */
const MIN_TENSOR_RESIZE_SCALE = 0.5;

/**
 * An image ready to become the model's input tensor: pixels that `rawToInputTensor` still
 * letterboxes, or RGB bytes that sharp already letterboxed. Both own their buffer, so it
 * can be transferred to the inference worker.
 */
export type ModelInput = {
  transform: LetterboxTransform;
  originalWidth: number;
  originalHeight: number;
  /** Validation, reading the header and decoding compressed data, in ms. */
  decodeMs: number;
  /** Resize and padding done here (sharp), in ms; 0 when the tensor builder does them. */
  resizeMs: number;
} & ({ kind: "pixels"; pixels: RawPixels } | { kind: "letterboxed"; rgb: Uint8Array });

/**
 * Prepares an image for the model with as little work as the input allows. Raw frames are
 * validated and copied once into memory from `allocate`, which must reference nothing else. Compressed data and files are
 * decoded by sharp, and letterboxed by sharp only when they shrink by more than 2x.
 */
export async function prepareModelInput(
  image: ImageInput,
  target: LetterboxTarget,
  source: string,
  allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
): Promise<ModelInput> {
  checkTarget(target);
  const start = performance.now();
  if (image.kind === "raw") {
    const encoding = validateRawImage(image, source);
    const transform = computeLetterboxTransform(image.width, image.height, target);
    // A plain copy with its own memory: a Buffer's slice() would be a view of the caller's
    // memory, and transferring that to the worker would detach it.
    const data = allocate(image.step * image.height);
    data.set(image.data.subarray(0, data.length));
    return {
      kind: "pixels",
      pixels: { data, width: image.width, height: image.height, step: image.step, ...encoding },
      transform,
      originalWidth: image.width,
      originalHeight: image.height,
      decodeMs: performance.now() - start,
      resizeMs: 0,
    };
  }

  const pipeline = await createInputPipeline(image, source);
  const transform = computeLetterboxTransform(pipeline.width, pipeline.height, target);
  if (transform.scale < MIN_TENSOR_RESIZE_SCALE) {
    const letterbox = await letterboxPipeline(pipeline, target, start);
    const { rgb, ...placement } = letterbox;
    return { kind: "letterboxed", rgb: ownedBytes(rgb), ...placement };
  }
  const decoded = await pipeline.toRgb();
  const { width, height } = decoded;
  return {
    kind: "pixels",
    pixels: { data: ownedBytes(decoded.data), width, height, step: width * 3, channels: 3, order: "rgb" },
    // The header's size and the decoded size agree for valid images, and the pixels decide.
    transform: computeLetterboxTransform(width, height, target),
    originalWidth: width,
    originalHeight: height,
    decodeMs: performance.now() - start,
    resizeMs: 0,
  };
}

/** Returns the bytes in a buffer of their own, copying only when `data` is a view into a larger one. */
function ownedBytes(data: Buffer): Uint8Array {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
    return new Uint8Array(data.buffer, 0, data.byteLength);
  }
  return Uint8Array.prototype.slice.call(data);
}
