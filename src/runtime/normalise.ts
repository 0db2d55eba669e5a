/**
 * Converts letterboxed RGB bytes (height x width x 3, row after row) into the model's
 * float32 NCHW tensor data, scaled to 0..1 and normalised with the manifest's per-channel
 * mean and standard deviation, in one pass over the pixels. Writes into `out` when given
 * (3 * width * height values), else into a new array.
 */
export function normaliseImage(
  rgb: Uint8Array,
  width: number,
  height: number,
  mean: readonly number[],
  std: readonly number[],
  out: Float32Array = new Float32Array(width * height * 3),
): Float32Array {
  const pixels = width * height;
  if (rgb.length !== pixels * 3) {
    throw new RangeError(`normaliseImage expected ${pixels * 3} RGB bytes for ${width}x${height} but received ${rgb.length}`);
  }
  if (out.length !== pixels * 3) {
    throw new RangeError(`normaliseImage needs an output of ${pixels * 3} values for ${width}x${height} but was given ${out.length}`);
  }

  // (byte / 255 - mean) / std folded into byte * scale + offset per channel.
  const scale = [0, 1, 2].map((c) => 1 / (255 * std[c]));
  const offset = [0, 1, 2].map((c) => -mean[c] / std[c]);
  const [scaleR, scaleG, scaleB] = scale;
  const [offsetR, offsetG, offsetB] = offset;

  for (let i = 0, j = 0; i < pixels; i += 1, j += 3) {
    out[i] = rgb[j] * scaleR + offsetR;
    out[pixels + i] = rgb[j + 1] * scaleG + offsetG;
    out[2 * pixels + i] = rgb[j + 2] * scaleB + offsetB;
  }
  return out;
}
