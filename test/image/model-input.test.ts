import { strict as assert } from "node:assert";

import sharp from "sharp";

import { ArgumentError, InputError } from "../../src/errors";
import { prepareModelInput } from "../../src/image/model-input";
import { rawImage, rgbPattern } from "./helpers";

const TARGET = { width: 256, height: 256, padValue: 114 };

async function pngOf(width: number, height: number): Promise<Uint8Array> {
  return sharp(rgbPattern(width, height), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe("image/prepareModelInput", () => {
  it("copies raw frames once for the tensor builder", async () => {
    const input = rawImage(rgbPattern(640, 480), 640, 480, "bgra8", 8);
    const prepared = await prepareModelInput(input, TARGET, "test");

    assert.equal(prepared.kind, "pixels");
    assert.equal(prepared.resizeMs, 0);
    assert.equal(prepared.transform.resizedHeight, 192);
    if (prepared.kind === "pixels") {
      assert.equal(prepared.pixels.order, "bgra");
      assert.equal(prepared.pixels.step, 640 * 4 + 8);
      assert.notEqual(prepared.pixels.data.buffer, input.data.buffer, "the caller keeps its buffer");
      assert.equal(prepared.pixels.data.byteLength, prepared.pixels.data.buffer.byteLength, "the copy owns its whole buffer");
    }
  });

  it("copies a Buffer frame instead of viewing it", async () => {
    const input = rawImage(rgbPattern(8, 4), 8, 4, "rgb8");
    const buffer = Buffer.from(input.data);
    const prepared = await prepareModelInput({ ...input, data: buffer }, TARGET, "test");

    assert.equal(prepared.kind, "pixels");
    if (prepared.kind === "pixels") {
      assert.notEqual(prepared.pixels.data.buffer, buffer.buffer, "a Buffer's slice would share its memory");
      assert.equal(prepared.pixels.data.byteLength, prepared.pixels.data.buffer.byteLength, "the copy owns its whole buffer");
      assert.deepEqual([...prepared.pixels.data], [...buffer]);
    }
  });

  it("decodes a mildly shrunk PNG only", async () => {
    const prepared = await prepareModelInput({ kind: "compressed", format: "png", data: await pngOf(512, 384) }, TARGET, "test");

    assert.equal(prepared.kind, "pixels");
    assert.equal(prepared.originalWidth, 512);
    if (prepared.kind === "pixels") {
      assert.equal(prepared.pixels.order, "rgb");
      assert.equal(prepared.pixels.data.length, 512 * 384 * 3);
    }
  });

  it("letterboxes with sharp when the image shrinks by more than 2x", async () => {
    const prepared = await prepareModelInput({ kind: "compressed", format: "png", data: await pngOf(1024, 600) }, TARGET, "test");

    assert.equal(prepared.kind, "letterboxed");
    assert.equal(prepared.originalWidth, 1024);
    assert.equal(prepared.transform.resizedWidth, 256);
    if (prepared.kind === "letterboxed") {
      assert.equal(prepared.rgb.length, 256 * 256 * 3);
    }
  });

  it("rejects a bad raw frame with an input error", async () => {
    const input = { ...rawImage(rgbPattern(4, 4), 4, 4, "rgb8"), encoding: "yuv422" };
    await assert.rejects(prepareModelInput(input, TARGET, "/camera/image_raw"), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /yuv422/);
      return true;
    });
  });

  it("rejects an invalid target size", async () => {
    const input = rawImage(rgbPattern(4, 4), 4, 4, "rgb8");
    await assert.rejects(prepareModelInput(input, { ...TARGET, width: 0 }, "test"), ArgumentError);
  });
});
