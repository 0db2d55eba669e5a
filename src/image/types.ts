/** Tightly packed 8-bit RGB pixels, row after row, `width * height * 3` bytes. */
export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Model input that images are letterboxed into. */
export interface LetterboxTarget {
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** Grey level of the padding, 0..255, the same on every channel. */
  padValue: number;
}

/**
 * Placement of the original image inside the letterboxed model input. A model pixel
 * coordinate `mx` maps to the original `x = (mx - padX) / scaleX`, and likewise for y.
 */
export interface LetterboxTransform {
  /** Uniform scale chosen to fit the image: min(target width / width, target height / height). */
  scale: number;
  /** Scale actually applied on x: resizedWidth / original width (differs from `scale` by rounding). */
  scaleX: number;
  /** Scale actually applied on y: resizedHeight / original height. */
  scaleY: number;
  /** Columns of padding left of the image, in model pixels. */
  padX: number;
  /** Rows of padding above the image, in model pixels. */
  padY: number;
  /** Size of the resized image inside the target, in model pixels. */
  resizedWidth: number;
  resizedHeight: number;
  targetWidth: number;
  targetHeight: number;
}

export interface LetterboxResult {
  /** Target `width * height * 3` bytes of RGB8. */
  rgb: Buffer;
  transform: LetterboxTransform;
  originalWidth: number;
  originalHeight: number;
  /**
   * Time to validate the input and read its size, in ms. Compressed data is decoded inside
   * the sharp pipeline, so its decoding is counted in `resizeMs`.
   */
  decodeMs: number;
  /** Time of the sharp pipeline (decoding of compressed data, channel conversion, resize, padding), in ms. */
  resizeMs: number;
}
