import { strict as assert } from "node:assert";

import type { CompressedImage, DiagnosticArray, GroundingResult, Image } from "../../src/msgs";
import { GROUNDING_STATUS } from "../../src/msgs";
import {
  CAMERA_QOS,
  jpegImage,
  pngImage,
  publish,
  RELIABLE_PUBLISHER_QOS,
  rgbImage,
  startTestNode,
  TestNode,
  waitUntil,
} from "./harness";

const RESULT = "/softskip_grounding/result";

/** Publishes a command, then `image`, and returns the first result for that image. */
async function groundOn(test: TestNode, topic: string, type: string, image: Image | CompressedImage): Promise<GroundingResult> {
  const before = test.rcl.graph.messagesOn(RESULT).length;
  publish(test.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
  publish(test.rcl, topic, type, CAMERA_QOS, image);
  const isAnswer = (result: GroundingResult): boolean => result.status !== GROUNDING_STATUS.NO_IMAGE;
  await waitUntil(() => test.rcl.graph.messagesOn<GroundingResult>(RESULT).slice(before).some(isAnswer), `a result on ${topic}`);
  return test.rcl.graph.messagesOn<GroundingResult>(RESULT).slice(before).filter(isAnswer)[0];
}

function rejectionWarnings(test: TestNode): string[] {
  return test.rcl.graph.logs.filter((line) => line.level === "warn").map((line) => line.message);
}

describe("ROS node image inputs", function () {
  let test: TestNode | undefined;

  afterEach(async function () {
    await test?.running.stop("test finished");
    test = undefined;
  });

  const accepted: [string, Image][] = [
    ["rgb8", rgbImage(12, 8)],
    ["bgr8", rgbImage(12, 8, { encoding: "bgr8" })],
    ["rgba8", rgbImage(12, 8, { encoding: "rgba8", channels: 4 })],
    ["bgra8", rgbImage(12, 8, { encoding: "bgra8", channels: 4 })],
    ["mono8", rgbImage(12, 8, { encoding: "mono8", channels: 1 })],
    ["8UC1", rgbImage(12, 8, { encoding: "8UC1", channels: 1 })],
    ["8UC3", rgbImage(12, 8, { encoding: "8UC3" })],
    ["rgb8 with row padding", rgbImage(12, 8, { padding: 16 })],
    ["rgb8 big-endian flag", { ...rgbImage(12, 8), is_bigendian: 1 }],
  ];
  for (const [name, image] of accepted) {
    it(`grounds ${name}`, async function () {
      test = await startTestNode();
      const result = await groundOn(test, "/image", "sensor_msgs/msg/Image", image);
      assert.equal(result.status, GROUNDING_STATUS.GROUNDED, name);
      assert.equal(result.bbox.size_x, 6);
      assert.equal(result.bbox.size_y, 4);
    });
  }

  for (const format of ["jpeg", "JPEG", "rgb8; jpeg compressed bgr8", ""]) {
    it(`grounds compressed format ${JSON.stringify(format)}`, async function () {
      test = await startTestNode({ rosArgs: ["-p", "image_transport:=compressed"] });
      const result = await groundOn(test, "/image/compressed", "sensor_msgs/msg/CompressedImage", await jpegImage(20, 10, format));
      assert.equal(result.status, GROUNDING_STATUS.GROUNDED);
      assert.equal(result.bbox.size_x, 10);
    });
  }

  for (const format of ["png", "bgr8; png compressed bgr8"]) {
    it(`grounds compressed format ${JSON.stringify(format)}`, async function () {
      test = await startTestNode({ rosArgs: ["-p", "image_transport:=compressed"] });
      const result = await groundOn(test, "/image/compressed", "sensor_msgs/msg/CompressedImage", await pngImage(20, 10, format));
      assert.equal(result.status, GROUNDING_STATUS.GROUNDED);
    });
  }

  const rejected: [string, Image, RegExp][] = [
    ["mono16", { ...rgbImage(4, 4, { channels: 2 }), encoding: "mono16" }, /mono16/],
    ["16UC1", { ...rgbImage(4, 4, { channels: 2 }), encoding: "16UC1" }, /16UC1/],
    ["32FC1", { ...rgbImage(4, 4, { channels: 4 }), encoding: "32FC1" }, /32FC1/],
    ["yuv422", { ...rgbImage(4, 4, { channels: 2 }), encoding: "yuv422" }, /yuv422/],
    ["bayer_rggb8", { ...rgbImage(4, 4, { channels: 1 }), encoding: "bayer_rggb8" }, /bayer_rggb8/],
    ["truncated data", { ...rgbImage(640, 480), data: new Uint8Array(30) }, /data/],
    ["step shorter than a row", { ...rgbImage(8, 8), step: 10 }, /step/],
    ["zero width", { ...rgbImage(8, 8), width: 0 }, /width|size/],
  ];
  for (const [name, image, mentions] of rejected) {
    it(`rejects ${name} and keeps running`, async function () {
      test = await startTestNode();
      const result = await groundOn(test, "/image", "sensor_msgs/msg/Image", image);
      assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT);
      assert.deepEqual(result.header.stamp, image.header.stamp, "the rejection carries the image header");
      const warning = rejectionWarnings(test).find((message) => mentions.test(message));
      assert.ok(warning, `no warning naming ${mentions} in ${JSON.stringify(rejectionWarnings(test))}`);

      const next = await groundOn(test, "/image", "sensor_msgs/msg/Image", rgbImage(8, 8, { sec: 200 }));
      assert.equal(next.status, GROUNDING_STATUS.GROUNDED, "the node grounds the next good frame");

      test.rcl.graph.fireTimers();
      const status = test.rcl.graph.messagesOn<DiagnosticArray>("/diagnostics")[0].status[0];
      const counted = status.values.find((entry) => entry.key.startsWith("rejected /image:"));
      assert.ok(counted, `no rejection count in ${JSON.stringify(status.values)}`);
      assert.equal(counted.value, "1");
    });
  }

  const rejectedCompressed: [string, () => Promise<CompressedImage>, RegExp][] = [
    ["a truncated JPEG", async () => ({ ...(await jpegImage(8, 8, "jpeg")), data: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]) }), /image\/compressed/],
    ["compressedDepth", async () => ({ ...(await pngImage(8, 8, "16UC1; compressedDepth png")) }), /compressedDepth|16UC1/],
    ["bytes that are no image", async () => ({ ...(await pngImage(8, 8, "")), data: new Uint8Array(64).fill(7) }), /image\/compressed/],
  ];
  for (const [name, build, mentions] of rejectedCompressed) {
    it(`rejects ${name}`, async function () {
      test = await startTestNode({ rosArgs: ["-p", "image_transport:=compressed"] });
      const result = await groundOn(test, "/image/compressed", "sensor_msgs/msg/CompressedImage", await build());
      assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT);
      assert.ok(rejectionWarnings(test).some((message) => mentions.test(message)), JSON.stringify(rejectionWarnings(test)));
    });
  }

  it("rejects an over-long transcript", async function () {
    test = await startTestNode();
    publish(test.rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(8, 8));
    publish(test.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug ".repeat(60) });
    await waitUntil(() => test?.rcl.graph.messagesOn(RESULT).length === 1, "a rejection result");
    const result = test.rcl.graph.messagesOn<GroundingResult>(RESULT)[0];
    assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT);
    assert.ok(rejectionWarnings(test).some((message) => /transcript/.test(message) && /500/.test(message)), JSON.stringify(rejectionWarnings(test)));
  });

  it("rate-limits repeated rejection warnings", async function () {
    test = await startTestNode();
    publish(test.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
    for (let index = 0; index < 5; index += 1) {
      publish(test.rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, { ...rgbImage(4, 4), encoding: "bayer_rggb8", header: { stamp: { sec: 300 + index, nanosec: 0 }, frame_id: "camera" } });
      await waitUntil(() => test?.rcl.graph.messagesOn<GroundingResult>(RESULT).filter((r) => r.status === GROUNDING_STATUS.REJECTED_INPUT).length === index + 1, `rejection ${index + 1}`);
    }
    const warnings = rejectionWarnings(test).filter((message) => message.includes("bayer_rggb8"));
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
  });
});
