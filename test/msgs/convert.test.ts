import { strict as assert } from "node:assert";

import fc from "fast-check";

import { decodeImage } from "../../src/image";
import {
  boundingBoxFromBox,
  boxFromBoundingBox,
  deserializeMessage,
  imageFromRgb,
  imageInputFromCompressed,
  imageInputFromImage,
  serializeMessage,
} from "../../src/msgs";
import type { Image } from "../../src/msgs";
import * as samples from "./samples";

describe("msgs/boundingBoxFromBox", () => {
  it("uses the centre and size", () => {
    assert.deepEqual(boundingBoxFromBox({ x: 10, y: 20, width: 30, height: 40 }), {
      center: { position: { x: 25, y: 40 }, theta: 0 },
      size_x: 30,
      size_y: 40,
    });
  });

  it("round-trips through boxFromBoundingBox", () => {
    const pixels = fc.double({ min: 0, max: 8192, noNaN: true });
    fc.assert(
      fc.property(pixels, pixels, pixels, pixels, (x, y, width, height) => {
        const back = boxFromBoundingBox(boundingBoxFromBox({ x, y, width, height }));
        assert.ok(Math.abs(back.x - x) < 1e-9, `x ${back.x} vs ${x}`);
        assert.ok(Math.abs(back.y - y) < 1e-9, `y ${back.y} vs ${y}`);
        assert.ok(Math.abs(back.width - width) < 1e-9, `width ${back.width} vs ${width}`);
        assert.ok(Math.abs(back.height - height) < 1e-9, `height ${back.height} vs ${height}`);
      }),
    );
  });
});

describe("msgs image conversions", () => {
  it("wraps a deserialized Image for decoding", async () => {
    const image = deserializeMessage<Image>("sensor_msgs/msg/Image", serializeMessage("sensor_msgs/msg/Image", samples.image));
    const input = imageInputFromImage(image);
    assert.equal(input.kind, "raw");
    assert.equal(input.step, 10);
    assert.equal(input.isBigEndian, false);
    const decoded = await decodeImage(input, "/camera");
    assert.deepEqual(Array.from(decoded.data.subarray(0, 3)), [14, 7, 0]);
  });

  it("wraps a CompressedImage", () => {
    const input = imageInputFromCompressed(samples.compressedImage);
    assert.deepEqual(input, { kind: "compressed", format: samples.compressedImage.format, data: samples.compressedImage.data });
  });

  it("builds an rgb8 Image that serializes", () => {
    const image = imageFromRgb(samples.header, { data: Buffer.alloc(4 * 2 * 3, 9), width: 4, height: 2 });
    assert.equal(image.step, 12);
    const decoded = deserializeMessage<Image>("sensor_msgs/msg/Image", serializeMessage("sensor_msgs/msg/Image", image));
    assert.equal(decoded.encoding, "rgb8");
    assert.equal(decoded.data.length, 24);
  });
});
