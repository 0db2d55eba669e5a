import type { ChannelOrder } from "./encodings";
import type { LetterboxTransform } from "./types";

/** Raw 8-bit pixels as a sensor_msgs/Image carries them, already validated. */
export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  /** Bytes per row, at least width * channels. */
  step: number;
  channels: 1 | 3 | 4;
  order: ChannelOrder;
}

/** Per-channel normalisation of the model input, on 0..1 values. */
export interface Normalisation {
  mean: readonly number[];
  std: readonly number[];
  /** Byte value of every channel of the padding. */
  padValue: number;
}

/** Byte offsets of red, green and blue inside one pixel. */
function channelOffsets(order: ChannelOrder): [number, number, number] {
  switch (order) {
    case "rgb":
    case "rgba":
      return [0, 1, 2];
    case "bgr":
    case "bgra":
      return [2, 1, 0];
    case "mono":
      return [0, 0, 0];
  }
}

/**
 * Source sample positions of one axis for bilinear resampling with pixel centres at +0.5
 * (the convention of OpenCV's INTER_LINEAR): first neighbour, second neighbour, and the
 * weight of the second. Positions outside the image clamp to the edge pixel.
 */
function axisSamples(outputSize: number, inputSize: number): { first: Int32Array; second: Int32Array; weight: Float32Array } {
  const first = new Int32Array(outputSize);
  const second = new Int32Array(outputSize);
  const weight = new Float32Array(outputSize);
  const ratio = inputSize / outputSize;
  for (let i = 0; i < outputSize; i += 1) {
    const position = Math.min(inputSize - 1, Math.max(0, (i + 0.5) * ratio - 0.5));
    const low = Math.floor(position);
    first[i] = low;
    second[i] = Math.min(inputSize - 1, low + 1);
    weight[i] = position - low;
  }
  return { first, second, weight };
}

/**
 * Letterboxes raw pixels straight into the model's float32 NCHW tensor: channel order,
 * bilinear resize, padding and normalisation in one pass that reads each needed source
 * byte in place (row padding included) and writes each tensor value once.
 *
 * At scale 1 the result equals sharp's letterbox followed by normalisation exactly. When
 * shrinking by more than 2x, bilinear sampling skips source pixels (no antialiasing), as
 * OpenCV-based detection pipelines also do; compressed images keep sharp's resize.
 */
export function rawToInputTensor(pixels: RawPixels, transform: LetterboxTransform, norm: Normalisation): Float32Array {
  const { targetWidth, targetHeight, resizedWidth, resizedHeight, padX, padY } = transform;
  const plane = targetWidth * targetHeight;
  const out = new Float32Array(plane * 3);

  // (byte / 255 - mean) / std folded into byte * scale + offset per channel.
  const scale = [0, 1, 2].map((c) => 1 / (255 * norm.std[c]));
  const offset = [0, 1, 2].map((c) => -norm.mean[c] / norm.std[c]);
  for (let c = 0; c < 3; c += 1) {
    out.fill(norm.padValue * scale[c] + offset[c], c * plane, (c + 1) * plane);
  }

  const xs = axisSamples(resizedWidth, pixels.width);
  const ys = axisSamples(resizedHeight, pixels.height);
  const { data, step, channels } = pixels;
  const [red, green, blue] = channelOffsets(pixels.order);
  const [scaleR, scaleG, scaleB] = scale;
  const [offsetR, offsetG, offsetB] = offset;
  const left = new Int32Array(resizedWidth);
  const right = new Int32Array(resizedWidth);
  for (let x = 0; x < resizedWidth; x += 1) {
    left[x] = xs.first[x] * channels;
    right[x] = xs.second[x] * channels;
  }

  for (let y = 0; y < resizedHeight; y += 1) {
    const top = ys.first[y] * step;
    const bottom = ys.second[y] * step;
    const wy = ys.weight[y];
    let o = (padY + y) * targetWidth + padX;
    for (let x = 0; x < resizedWidth; x += 1, o += 1) {
      const wx = xs.weight[x];
      const a = top + left[x];
      const b = top + right[x];
      const d = bottom + left[x];
      const e = bottom + right[x];
      let upper = data[a + red] + (data[b + red] - data[a + red]) * wx;
      let lower = data[d + red] + (data[e + red] - data[d + red]) * wx;
      out[o] = (upper + (lower - upper) * wy) * scaleR + offsetR;
      upper = data[a + green] + (data[b + green] - data[a + green]) * wx;
      lower = data[d + green] + (data[e + green] - data[d + green]) * wx;
      out[plane + o] = (upper + (lower - upper) * wy) * scaleG + offsetG;
      upper = data[a + blue] + (data[b + blue] - data[a + blue]) * wx;
      lower = data[d + blue] + (data[e + blue] - data[d + blue]) * wx;
      out[2 * plane + o] = (upper + (lower - upper) * wy) * scaleB + offsetB;
    }
  }
  return out;
}
