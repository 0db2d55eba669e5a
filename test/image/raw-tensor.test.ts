import { strict as assert } from "node:assert";

import { computeLetterboxTransform, letterboxImage } from "../../src/image";
import { rawEncoding } from "../../src/image/encodings";
import { InputTensorWriter, rawToInputTensor } from "../../src/image/raw-tensor";
import type { RawPixels } from "../../src/image/raw-tensor";
import { normaliseImage } from "../../src/runtime/normalise";
import type { RawImageInput } from "../../src/runtime/types";
import { greyFromRed, rawImage, rgbPattern } from "./helpers";

const TARGET = { width: 256, height: 256, padValue: 114 };
const NORM = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], padValue: 114 };

function pixelsOf(input: RawImageInput): RawPixels {
  return { data: input.data, width: input.width, height: input.height, step: input.step, ...rawEncoding(input.encoding, "test") };
}

function tensorOf(input: RawImageInput): Float32Array {
  return rawToInputTensor(pixelsOf(input), computeLetterboxTransform(input.width, input.height, TARGET), NORM);
}

/** sharp's letterbox followed by normalisation: the path compressed images take. */
async function sharpTensor(input: RawImageInput): Promise<Float32Array> {
  const letterbox = await letterboxImage(input, TARGET, "test");
  return normaliseImage(letterbox.rgb, TARGET.width, TARGET.height, NORM.mean, NORM.std);
}

/** Mean absolute difference of two tensors, in input byte levels (std folded back). */
function meanLevelDifference(a: Float32Array, b: Float32Array): number {
  const plane = a.length / 3;
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    sum += Math.abs(a[i] - b[i]) * 255 * NORM.std[Math.floor(i / plane)];
  }
  return sum / a.length;
}

/** Builds a smooth picture, on which any sensible resampling kernel gives nearly the same values. */
function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      data[offset] = Math.round((255 * x) / (width - 1));
      data[offset + 1] = Math.round((255 * y) / (height - 1));
      data[offset + 2] = Math.round((127 * (x + y)) / (width + height - 2));
    }
  }
  return data;
}

describe("image/rawToInputTensor", () => {
  it("equals sharp's letterbox and normalisation exactly at scale 1", async () => {
    const input = rawImage(rgbPattern(256, 192), 256, 192, "rgb8");
    assert.deepEqual(tensorOf(input), await sharpTensor(input));
  });

  for (const encoding of ["bgr8", "rgba8", "bgra8", "8UC3"]) {
    it(`reads ${encoding} with row padding like rgb8`, () => {
      const rgb = rgbPattern(50, 30);
      assert.deepEqual(tensorOf(rawImage(rgb, 50, 30, encoding, 5)), tensorOf(rawImage(rgb, 50, 30, "rgb8")));
    });
  }

  for (const encoding of ["bgra8", "mono8"]) {
    it(`reads unscaled padded ${encoding} like rgb8`, () => {
      const rgb = encoding === "mono8" ? greyFromRed(rgbPattern(256, 100)) : rgbPattern(256, 100);
      assert.deepEqual(tensorOf(rawImage(rgb, 256, 100, encoding, 7)), tensorOf(rawImage(rgb, 256, 100, "rgb8")));
    });
  }

  it("reads mono8 as grey on every channel", () => {
    const rgb = rgbPattern(40, 40);
    assert.deepEqual(tensorOf(rawImage(rgb, 40, 40, "mono8", 3)), tensorOf(rawImage(greyFromRed(rgb), 40, 40, "rgb8")));
  });

  it("fills the letterbox padding with the normalised pad value", () => {
    const tensor = tensorOf(rawImage(rgbPattern(64, 48), 64, 48, "rgb8"));
    const plane = TARGET.width * TARGET.height;
    for (let c = 0; c < 3; c += 1) {
      const pad = Math.fround((114 / 255 - NORM.mean[c]) / NORM.std[c]);
      // 64x48 scales to 256x192 with 32 rows of padding above and below.
      for (const row of [0, 31, 224, 255]) {
        assert.ok(Math.abs(tensor[c * plane + row * TARGET.width + 100] - pad) < 1e-5, `channel ${c} row ${row}`);
      }
      assert.ok(Math.abs(tensor[c * plane + 32 * TARGET.width + 100] - pad) > 1e-3, `channel ${c} first image row`);
    }
  });

  it("stays within a level of sharp when shrinking a 640x480 frame", async () => {
    const input = rawImage(gradient(640, 480), 640, 480, "rgb8");
    const difference = meanLevelDifference(tensorOf(input), await sharpTensor(input));
    assert.ok(difference < 1, `mean difference ${difference.toFixed(3)} levels`);
  });

  it("stays within a level of sharp when enlarging a small frame", async () => {
    const input = rawImage(gradient(80, 60), 80, 60, "bgr8", 4);
    const difference = meanLevelDifference(tensorOf(input), await sharpTensor(input));
    assert.ok(difference < 1, `mean difference ${difference.toFixed(3)} levels`);
  });

  it("keeps a one-pixel image", () => {
    const tensor = tensorOf(rawImage(Buffer.from([255, 0, 0]), 1, 1, "rgb8"));
    const centre = 128 * TARGET.width + 128;
    assert.ok(Math.abs(tensor[centre] - (1 - NORM.mean[0]) / NORM.std[0]) < 1e-5);
  });

  it("reuses its buffer across frame sizes", () => {
    const writer = new InputTensorWriter(TARGET.width, TARGET.height);
    // Portrait, then landscape, then portrait again: each leaves padding where the next has image.
    const frames = [rawImage(rgbPattern(30, 60), 30, 60, "rgb8"), rawImage(rgbPattern(64, 48), 64, 48, "bgr8", 2), rawImage(rgbPattern(31, 61), 31, 61, "rgba8")];
    for (const frame of [...frames, frames[0]]) {
      const transform = computeLetterboxTransform(frame.width, frame.height, TARGET);
      assert.deepEqual(writer.write(pixelsOf(frame), transform, NORM), tensorOf(frame), `${frame.width}x${frame.height} ${frame.encoding}`);
    }
  });

  it("matches the JavaScript resize with SIMD", function () {
    const simd = new InputTensorWriter(TARGET.width, TARGET.height);
    if (!simd.usesSimd) {
      this.skip();
    }
    const plain = new InputTensorWriter(TARGET.width, TARGET.height, { simd: false });
    // Shrinking, enlarging, odd sizes, every channel layout and row padding. The 640x480
    // frame after the small ones makes the kernel grow its memory, so the tensor moves.
    const frames = [
      rawImage(rgbPattern(97, 61), 97, 61, "rgb8"),
      rawImage(rgbPattern(33, 250), 33, 250, "bgr8", 3),
      rawImage(rgbPattern(640, 480), 640, 480, "rgba8", 8),
      rawImage(rgbPattern(301, 199), 301, 199, "bgra8"),
      rawImage(greyFromRed(rgbPattern(513, 389)), 513, 389, "mono8", 1),
      rawImage(rgbPattern(97, 61), 97, 61, "rgb8"),
    ];
    for (const frame of frames) {
      const transform = computeLetterboxTransform(frame.width, frame.height, TARGET);
      const expected = plain.write(pixelsOf(frame), transform, NORM);
      const actual = simd.write(pixelsOf(frame), transform, NORM);
      let largest = 0;
      for (let i = 0; i < expected.length; i += 1) {
        largest = Math.max(largest, Math.abs(expected[i] - actual[i]));
      }
      // The kernel computes in float32 and the loop in float64: about 1e-6 apart.
      assert.ok(largest < 1e-5, `${frame.width}x${frame.height} ${frame.encoding}: largest difference ${largest}`);
    }
  });

  it("resizes a frame over the kernel limit in JavaScript", function () {
    const limited = new InputTensorWriter(TARGET.width, TARGET.height, { maxKernelFrameBytes: 1000 });
    if (!limited.usesSimd) {
      this.skip();
    }
    const plain = new InputTensorWriter(TARGET.width, TARGET.height, { simd: false });
    const frame = rawImage(rgbPattern(97, 61), 97, 61, "rgb8");
    const transform = computeLetterboxTransform(97, 61, TARGET);
    // The JavaScript loop gives exactly its own values, where the kernel would differ by about 1e-6.
    assert.deepEqual(limited.write(pixelsOf(frame), transform, NORM), plain.write(pixelsOf(frame), transform, NORM));
  });

  it("refills the padding after a letterboxed image", () => {
    const writer = new InputTensorWriter(TARGET.width, TARGET.height);
    const frame = rawImage(rgbPattern(64, 48), 64, 48, "rgb8");
    const transform = computeLetterboxTransform(64, 48, TARGET);
    writer.write(pixelsOf(frame), transform, NORM);
    writer.writeLetterboxed(new Uint8Array(TARGET.width * TARGET.height * 3).fill(7), NORM);
    assert.deepEqual(writer.write(pixelsOf(frame), transform, NORM), tensorOf(frame));
  });

  it("refuses a letterbox computed for another model input size", () => {
    const writer = new InputTensorWriter(128, 128);
    const frame = rawImage(rgbPattern(20, 10), 20, 10, "rgb8");
    assert.throws(() => writer.write(pixelsOf(frame), computeLetterboxTransform(20, 10, TARGET), NORM), /256x256 does not match the 128x128 model input/);
  });
});
