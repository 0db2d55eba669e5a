import { strict as assert } from "node:assert";

import fc from "fast-check";
import sharp from "sharp";

import { ArgumentError } from "../../src/errors";
import { boxFromModelPixels, computeLetterboxTransform, decodeImage, letterboxImage, modelPixelsFromBox } from "../../src/image";
import type { Box } from "../../src/runtime/types";
import { greyFromRed, maxDifference, pixelAt, rawImage, rgbPattern } from "./helpers";
import { errorMatching } from "../msgs/errorMatchers";

const TARGET = { width: 256, height: 256, padValue: 114 };

describe("image/computeLetterboxTransform", () => {
  it("centres a landscape image vertically", () => {
    const transform = computeLetterboxTransform(640, 480, TARGET);
    assert.equal(transform.scale, 0.4);
    assert.equal(transform.resizedWidth, 256);
    assert.equal(transform.resizedHeight, 192);
    assert.equal(transform.padX, 0);
    assert.equal(transform.padY, 32);
  });

  it("centres a portrait image horizontally", () => {
    const transform = computeLetterboxTransform(480, 640, TARGET);
    assert.equal(transform.resizedWidth, 192);
    assert.equal(transform.padX, 32);
    assert.equal(transform.padY, 0);
  });

  it("puts the odd padding pixel right", () => {
    const transform = computeLetterboxTransform(101, 50, { width: 64, height: 64 });
    assert.equal(transform.resizedHeight, 32);
    assert.equal(transform.padY, 16);
    const oddTransform = computeLetterboxTransform(100, 49, { width: 64, height: 64 });
    assert.equal(oddTransform.resizedHeight, 31);
    assert.equal(oddTransform.padY, 16);
  });

  it("keeps a one-pixel side", () => {
    const transform = computeLetterboxTransform(8000, 1, TARGET);
    assert.equal(transform.resizedHeight, 1);
    assert.equal(transform.padY, 127);
  });

  it("rejects an empty image", () => {
    assert.throws(() => computeLetterboxTransform(0, 10, TARGET), errorMatching(ArgumentError, "0x10"));
  });
});

describe("image/boxFromModelPixels", () => {
  const sides = fc.integer({ min: 1, max: 4000 });
  const targets = fc.record({ width: fc.integer({ min: 32, max: 1024 }), height: fc.integer({ min: 32, max: 1024 }) });

  /** An image size with a box inside it; box corners on fractions of the size. */
  const scenes = fc
    .record({ width: sides, height: sides, target: targets, corners: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }) })
    .map(({ width, height, target, corners }) => {
      const [x0, x1] = [corners[0] * width, corners[1] * width].sort((a, b) => a - b);
      const [y0, y1] = [corners[2] * height, corners[3] * height].sort((a, b) => a - b);
      const box: Box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
      return { width, height, target, box };
    });

  it("inverts modelPixelsFromBox inside the image", () => {
    fc.assert(
      fc.property(scenes, ({ width, height, target, box }) => {
        const transform = computeLetterboxTransform(width, height, target);
        const model = modelPixelsFromBox(box, transform);
        const back = boxFromModelPixels(model.cx, model.cy, model.w, model.h, transform, width, height);
        const tolerance = 1e-6 * Math.max(width, height);
        assert.ok(Math.abs(back.x - box.x) <= tolerance, `x ${back.x} vs ${box.x}`);
        assert.ok(Math.abs(back.y - box.y) <= tolerance, `y ${back.y} vs ${box.y}`);
        assert.ok(Math.abs(back.width - box.width) <= tolerance, `width ${back.width} vs ${box.width}`);
        assert.ok(Math.abs(back.height - box.height) <= tolerance, `height ${back.height} vs ${box.height}`);
      }),
    );
  });

  it("clamps any model box to the image", () => {
    const modelValue = fc.double({ min: -5000, max: 5000, noNaN: true });
    fc.assert(
      fc.property(sides, sides, targets, modelValue, modelValue, modelValue, modelValue, (width, height, target, cx, cy, w, h) => {
        const transform = computeLetterboxTransform(width, height, target);
        const box = boxFromModelPixels(cx, cy, w, h, transform, width, height);
        assert.ok(box.x >= 0, `x ${box.x}`);
        assert.ok(box.y >= 0, `y ${box.y}`);
        assert.ok(box.width >= 0, `width ${box.width}`);
        assert.ok(box.height >= 0, `height ${box.height}`);
        assert.ok(box.x + box.width <= width + 1e-9);
        assert.ok(box.y + box.height <= height + 1e-9);
      }),
    );
  });

  it("maps the resized area to the whole image", () => {
    const transform = computeLetterboxTransform(640, 480, TARGET);
    const box = boxFromModelPixels(128, 128, 256, 192, transform, 640, 480);
    assert.deepEqual(box, { x: 0, y: 0, width: 640, height: 480 });
  });

  it("gives an empty box in the padding", () => {
    const transform = computeLetterboxTransform(640, 480, TARGET);
    const box = boxFromModelPixels(128, 10, 40, 10, transform, 640, 480);
    assert.equal(box.height, 0);
  });

  it("rejects non-finite values naming them", () => {
    const transform = computeLetterboxTransform(640, 480, TARGET);
    assert.throws(
      () => boxFromModelPixels(Number.NaN, 1, 1, 1, transform, 640, 480),
      errorMatching(ArgumentError, "cx NaN"),
    );
    assert.throws(
      () => boxFromModelPixels(1, 1, Number.POSITIVE_INFINITY, 1, transform, 640, 480),
      errorMatching(ArgumentError, "w Infinity"),
    );
  });
});

describe("image/letterboxImage", () => {
  it("pads with padValue around the resized image", async () => {
    const white = Buffer.alloc(100 * 50 * 3, 255);
    const input = rawImage(white, 100, 50, "rgb8");
    const result = await letterboxImage(input, { width: 64, height: 64, padValue: 114 }, "/camera");

    assert.equal(result.rgb.length, 64 * 64 * 3);
    assert.equal(result.originalWidth, 100);
    assert.equal(result.originalHeight, 50);
    assert.deepEqual(result.transform, computeLetterboxTransform(100, 50, { width: 64, height: 64 }));
    const { padY, resizedHeight } = result.transform;
    for (let y = 0; y < 64; y += 1) {
      const inside = y >= padY && y < padY + resizedHeight;
      for (const x of [0, 31, 63]) {
        assert.deepEqual(pixelAt(result.rgb, 64, x, y), inside ? [255, 255, 255] : [114, 114, 114], `pixel ${x},${y}`);
      }
    }
  });

  it("gives the same pixels for every encoding and padding", async () => {
    const rgb = rgbPattern(40, 30);
    const target = { width: 32, height: 32, padValue: 0 };
    const reference = await letterboxImage(rawImage(rgb, 40, 30, "rgb8"), target, "/camera");
    for (const [encoding, padding] of [["bgr8", 0], ["bgr8", 7], ["rgba8", 4], ["bgra8", 0], ["8UC3", 2], ["rgb8", 6]] as const) {
      const result = await letterboxImage(rawImage(rgb, 40, 30, encoding, padding), target, "/camera");
      assert.deepEqual(result.rgb, reference.rgb, `${encoding} with ${padding} padding bytes`);
    }
  });

  it("letterboxes mono8 to grey RGB", async () => {
    const rgb = rgbPattern(40, 30);
    const target = { width: 32, height: 32, padValue: 114 };
    const reference = await letterboxImage(rawImage(greyFromRed(rgb), 40, 30, "rgb8"), target, "/camera");
    for (const [encoding, padding] of [["mono8", 0], ["mono8", 3], ["8UC1", 1]] as const) {
      const result = await letterboxImage(rawImage(rgb, 40, 30, encoding, padding), target, "/camera");
      assert.ok(maxDifference(result.rgb, reference.rgb) <= 1, `${encoding} with ${padding} padding bytes`);
    }
  });

  it("resizes translucent RGBA within 3 levels", async () => {
    // sharp resizes images with an alpha channel premultiplied, so alpha below 255 shifts
    // colours slightly even though the alpha channel itself is dropped.
    const rgb = rgbPattern(40, 30);
    const target = { width: 32, height: 32, padValue: 0 };
    const reference = await letterboxImage(rawImage(rgb, 40, 30, "rgb8"), target, "/camera");
    const translucent = rawImage(rgb, 40, 30, "rgba8");
    for (let offset = 3; offset < translucent.data.length; offset += 4) {
      translucent.data[offset] = 200;
    }
    const result = await letterboxImage(translucent, target, "/camera");
    assert.ok(maxDifference(result.rgb, reference.rgb) <= 3);
  });

  it("matches decode then resize", async () => {
    const rgb = rgbPattern(40, 30);
    const result = await letterboxImage(rawImage(rgb, 40, 30, "bgr8", 3), { width: 48, height: 48, padValue: 114 }, "/camera");
    const decoded = await decodeImage(rawImage(rgb, 40, 30, "rgb8"), "/camera");
    const expected = await sharp(decoded.data, { raw: { width: 40, height: 30, channels: 3 } })
      .resize(result.transform.resizedWidth, result.transform.resizedHeight, { fit: "fill" })
      .raw()
      .toBuffer();
    const { padX, padY, resizedWidth, resizedHeight } = result.transform;
    for (let y = 0; y < resizedHeight; y += 1) {
      for (let x = 0; x < resizedWidth; x += 1) {
        assert.deepEqual(pixelAt(result.rgb, 48, x + padX, y + padY), pixelAt(expected, resizedWidth, x, y));
      }
    }
  });

  it("letterboxes compressed input", async () => {
    const rgb = rgbPattern(64, 32);
    const png = await sharp(rgb, { raw: { width: 64, height: 32, channels: 3 } }).png().toBuffer();
    const result = await letterboxImage({ kind: "compressed", format: "png", data: png }, { width: 32, height: 32, padValue: 0 }, "/c");
    assert.equal(result.transform.padY, 8);
    assert.equal(result.originalWidth, 64);
    assert.ok(result.decodeMs >= 0);
    assert.ok(result.resizeMs >= 0);
  });

  it("passes through an image of the target size", async () => {
    const rgb = rgbPattern(16, 16);
    const result = await letterboxImage(rawImage(rgb, 16, 16, "rgb8"), { width: 16, height: 16, padValue: 0 }, "/c");
    assert.deepEqual(result.rgb, rgb);
  });

  const badTargets: Array<[Record<string, number>, string]> = [
    [{ width: 0, height: 64, padValue: 0 }, "width 0"],
    [{ width: 64, height: 64.5, padValue: 0 }, "height 64.5"],
    [{ width: 64, height: 64, padValue: 256 }, "padValue 256"],
    [{ width: 64, height: 64, padValue: -1 }, "padValue -1"],
  ];
  for (const [target, fragment] of badTargets) {
    it(`rejects target ${fragment}`, async () => {
      const input = rawImage(rgbPattern(4, 4), 4, 4, "rgb8");
      await assert.rejects(
        letterboxImage(input, target as { width: number; height: number; padValue: number }, "/c"),
        errorMatching(ArgumentError, fragment),
      );
    });
  }
});
