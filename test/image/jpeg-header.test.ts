import { strict as assert } from "node:assert";

import sharp from "sharp";

import { plainJpegSize } from "../../src/image/jpeg-header";
import { rgbPattern } from "./helpers";

/** Encodes a 5x3 RGB image with sharp, so the headers are libjpeg's. */
function encoder(): sharp.Sharp {
  return sharp(rgbPattern(5, 3), { raw: { width: 5, height: 3, channels: 3 } });
}

describe("image/plainJpegSize", () => {
  it("reads the size of a baseline and a progressive RGB JPEG", async () => {
    assert.deepEqual(plainJpegSize(await encoder().jpeg().toBuffer()), { width: 5, height: 3 });
    assert.deepEqual(plainJpegSize(await encoder().jpeg({ progressive: true }).toBuffer()), { width: 5, height: 3 });
  });

  it("skips fill bytes between segments", async () => {
    const jpeg = await encoder().jpeg().toBuffer();
    const filled = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xff]), jpeg.subarray(2)]);
    assert.deepEqual(plainJpegSize(filled), { width: 5, height: 3 });
  });

  it("leaves grey, CMYK and EXIF JPEGs to sharp", async () => {
    assert.equal(plainJpegSize(await encoder().toColourspace("b-w").jpeg().toBuffer()), null);
    assert.equal(plainJpegSize(await encoder().toColourspace("cmyk").jpeg().toBuffer()), null);
    assert.equal(plainJpegSize(await encoder().jpeg().withMetadata({ orientation: 6 }).toBuffer()), null);
  });

  it("returns null for a cut header, PNG data and non-marker bytes", async () => {
    const jpeg = await encoder().jpeg().toBuffer();
    assert.equal(plainJpegSize(jpeg.subarray(0, 40)), null);
    assert.equal(plainJpegSize(await encoder().png().toBuffer()), null);
    assert.equal(plainJpegSize(Uint8Array.from([0xff, 0xd8, 0x00, 0x00, 0x00])), null);
  });
});
