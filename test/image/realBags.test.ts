/**
 * Decoding of the images in the real bags and constructed reproducer bags of REAL_BAGS.
 * The reproducers show a 160x120 photo with a pure red square top left and a pure blue
 * square top right, so swapped channels are visible at fixed pixels.
 */
import { strict as assert } from "node:assert";

import { decompress as decompressZstd } from "fzstd";

import { InputError } from "../../src/errors";
import { decodeImage, letterboxImage } from "../../src/image";
import type { DecodedImage } from "../../src/image";
import type { CompressedImage, Image } from "../../src/msgs";
import { deserializeMessage, imageInputFromCompressed, imageInputFromImage } from "../../src/msgs";
import type { ImageInput } from "../../src/runtime/types";
import { readMcapMessages, realBagFile } from "../msgs/mcapFixture";
import type { FixtureMessage } from "../msgs/mcapFixture";
import { maxDifference, pixelAt } from "./helpers";

const RED_SQUARE = { x: 12, y: 12 };
const BLUE_SQUARE = { x: 148, y: 12 };

function toInput(message: FixtureMessage): ImageInput {
  if (message.schemaName.endsWith("CompressedImage")) {
    return imageInputFromCompressed(deserializeMessage<CompressedImage>(message.schemaName, message.data, message.topic));
  }
  return imageInputFromImage(deserializeMessage<Image>(message.schemaName, message.data, message.topic));
}

async function imagesByTopic(this: Mocha.Context, relative: string): Promise<Map<string, ImageInput>> {
  const file = realBagFile(relative);
  if (file === undefined) {
    this.skip();
  }
  const byTopic = new Map<string, ImageInput>();
  for (const message of await readMcapMessages(file)) {
    if (message.schemaName.includes("Image") && !byTopic.has(message.topic)) {
      byTopic.set(message.topic, toInput(message));
    }
  }
  return byTopic;
}

function assertSquares(image: DecodedImage, label: string): void {
  const red = pixelAt(image.data, image.width, RED_SQUARE.x, RED_SQUARE.y);
  const blue = pixelAt(image.data, image.width, BLUE_SQUARE.x, BLUE_SQUARE.y);
  assert.ok(red[0] > 230, `${label}: top-left pixel ${red.join(",")} lacks red`);
  assert.ok(red[1] < 25, `${label}: top-left pixel ${red.join(",")} has green`);
  assert.ok(red[2] < 25, `${label}: top-left pixel ${red.join(",")} has blue`);
  assert.ok(blue[2] > 230, `${label}: top-right pixel ${blue.join(",")} lacks blue`);
  assert.ok(blue[0] < 25, `${label}: top-right pixel ${blue.join(",")} has red`);
  assert.ok(blue[1] < 25, `${label}: top-right pixel ${blue.join(",")} has green`);
}

async function expectRejection(input: ImageInput, source: string, reason: string): Promise<void> {
  await assert.rejects(decodeImage(input, source), (error: unknown) => {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.reason, reason, error.message);
    assert.equal(error.source, source);
    return true;
  });
}

describe("image decoding of real bags", () => {
  it("decodes rgb8 and bgr8 to the same pixels", async function () {
    const images = await imagesByTopic.call(this, "repro/repro_rgb8_vs_bgr8.mcap");
    const rgb = await decodeImage(images.get("/camera/rgb8/image_raw") as ImageInput, "/camera/rgb8/image_raw");
    const bgr = await decodeImage(images.get("/camera/bgr8/image_raw") as ImageInput, "/camera/bgr8/image_raw");
    assert.equal(rgb.width, 160);
    assert.deepEqual(bgr.data, rgb.data);
    assertSquares(rgb, "rgb8");
  });

  it("crops row padding using step", async function () {
    const images = await imagesByTopic.call(this, "repro/repro_padded_step_rgb8.mcap");
    const padded = images.get("/camera/color/image_padded") as ImageInput;
    assert.equal(padded.kind === "raw" ? padded.step : 0, 496);
    const decodedPadded = await decodeImage(padded, "/camera/color/image_padded");
    const decodedUnpadded = await decodeImage(images.get("/camera/color/image_unpadded") as ImageInput, "/camera/color/image_unpadded");
    assert.deepEqual(decodedPadded.data, decodedUnpadded.data);

    const target = { width: 96, height: 96, padValue: 114 };
    const boxedPadded = await letterboxImage(padded, target, "/camera/color/image_padded");
    const boxedUnpadded = await letterboxImage(images.get("/camera/color/image_unpadded") as ImageInput, target, "/camera/color/image_unpadded");
    assert.deepEqual(boxedPadded.rgb, boxedUnpadded.rgb);
  });

  describe("encoding zoo", () => {
    let images: Map<string, ImageInput>;
    let reference: DecodedImage;

    before(async function () {
      images = await imagesByTopic.call(this, "repro/repro_encoding_zoo.mcap");
      reference = await decodeImage(images.get("/zoo/rgb8") as ImageInput, "/zoo/rgb8");
    });

    for (const encoding of ["rgb8", "bgr8", "rgba8", "bgra8", "8UC3"]) {
      it(`decodes ${encoding} like rgb8`, async () => {
        const decoded = await decodeImage(images.get(`/zoo/${encoding}`) as ImageInput, `/zoo/${encoding}`);
        assert.deepEqual(decoded.data, reference.data);
        assertSquares(decoded, encoding);
      });
    }

    for (const encoding of ["mono8", "8UC1"]) {
      it(`decodes ${encoding} to grey`, async () => {
        const decoded = await decodeImage(images.get(`/zoo/${encoding}`) as ImageInput, `/zoo/${encoding}`);
        assert.equal(decoded.data.length, reference.data.length);
        const [r, g, b] = pixelAt(decoded.data, decoded.width, RED_SQUARE.x, RED_SQUARE.y);
        assert.equal(g, r, `${encoding} pixel ${r},${g},${b} is not grey`);
        assert.equal(b, r, `${encoding} pixel ${r},${g},${b} is not grey`);
      });
    }

    for (const encoding of ["mono16", "16UC1", "32FC1", "yuv422", "yuv422_yuy2", "bayer_rggb8"]) {
      it(`rejects ${encoding} as unsupported`, async () => {
        await expectRejection(images.get(`/zoo/${encoding}`) as ImageInput, `/zoo/${encoding}`, "unsupported_encoding");
      });
    }
  });

  describe("compressed formats", () => {
    let images: Map<string, ImageInput>;

    before(async function () {
      images = await imagesByTopic.call(this, "repro/repro_compressed_formats.mcap");
    });

    it("decodes every colour format to the same picture", async () => {
      const png = await decodeImage(images.get("/cam/d/compressed") as ImageInput, "/cam/d/compressed");
      assertSquares(png, "png");
      for (const name of ["a", "b", "c", "e", "f"]) {
        const topic = `/cam/${name}/compressed`;
        const decoded = await decodeImage(images.get(topic) as ImageInput, topic);
        assert.equal(decoded.width, 160);
        assert.equal(decoded.height, 120);
        assertSquares(decoded, topic);
        // JPEG is lossy: compare its mean error with the PNG, not every pixel.
        let total = 0;
        for (let index = 0; index < png.data.length; index += 1) {
          total += Math.abs(decoded.data[index] - png.data[index]);
        }
        assert.ok(total / png.data.length < 6, `${topic}: mean difference ${total / png.data.length}`);
      }
    });

    it("decodes the PNG topics identically", async () => {
      const c = await decodeImage(images.get("/cam/c/compressed") as ImageInput, "/cam/c/compressed");
      const d = await decodeImage(images.get("/cam/d/compressed") as ImageInput, "/cam/d/compressed");
      assert.equal(maxDifference(c.data, d.data), 0);
    });

    for (const topic of ["/depth/g/compressed", "/depth/h/compressedDepth", "/depth/i/compressedDepth"]) {
      it(`rejects depth topic ${topic}`, async () => {
        await expectRejection(images.get(topic) as ImageInput, topic, "unsupported_format");
      });
    }
  });

  it("decodes raw and PNG-compressed frames alike", async function () {
    const images = await imagesByTopic.call(this, "repro/repro_humble_mcap_zstd/repro_humble_mcap_zstd_0.mcap");
    const compressed = images.get("/camera/image_raw/compressed") as ImageInput;
    assert.equal(compressed.kind === "compressed" ? compressed.format : "", "rgb8; png compressed bgr8");
    const fromRaw = await decodeImage(images.get("/camera/image_raw") as ImageInput, "/camera/image_raw");
    const fromPng = await decodeImage(compressed, "/camera/image_raw/compressed");
    assert.deepEqual(fromPng.data, fromRaw.data);
    assertSquares(fromPng, "png compressed bgr8");
  });

  it("letterboxes the real 640x480 camera photo", async function () {
    const file = realBagFile("amber_soccer_goal_split/soccer_goal_12.mcap");
    if (file === undefined) {
      this.skip();
    }
    // This bag compresses each message payload with zstd (rosbag2 compression mode MESSAGE).
    const message = (await readMcapMessages(file))[0];
    const payload = decompressZstd(message.data);
    const image = deserializeMessage<Image>(message.schemaName, payload, message.topic);
    assert.equal(image.encoding, "rgb8");

    const input = imageInputFromImage(image);
    const decoded = await decodeImage(input, message.topic);
    assert.equal(decoded.width, 640);
    assert.equal(decoded.height, 480);
    const boxed = await letterboxImage(input, { width: 256, height: 256, padValue: 114 }, message.topic);
    assert.equal(boxed.transform.padY, 32);
    assert.deepEqual(pixelAt(boxed.rgb, 256, 128, 10), [114, 114, 114]);
    assert.notDeepEqual(pixelAt(boxed.rgb, 256, 128, 128), [114, 114, 114]);
  });

  describe("rosbags-rs test bag", () => {
    let images: Map<string, ImageInput>;

    before(async function () {
      images = await imagesByTopic.call(this, "rosbags-rs_test_bag_mcap/test_bag_mcap.mcap");
    });

    it("rejects the image with 30 bytes of data", async () => {
      await expectRejection(images.get("/test/sensor_msgs/image") as ImageInput, "/test/sensor_msgs/image", "size_mismatch");
    });

    it("rejects the truncated JPEG", async () => {
      await expectRejection(images.get("/test/sensor_msgs/compressed_image") as ImageInput, "/test/sensor_msgs/compressed_image", "corrupt_data");
    });
  });
});
