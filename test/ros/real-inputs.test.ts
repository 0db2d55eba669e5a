/**
 * The node with real components: the ONNX Runtime engine on the tiny test model, and
 * image messages read from real and reproducer bags with src/bag.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { openBag } from "../../src/bag";
import type { CompressedImage, DiagnosticArray, GroundingResult, Image } from "../../src/msgs";
import { GROUNDING_STATUS } from "../../src/msgs";
import { loadGroundingEngine } from "../../src/runtime";
import { CAMERA_QOS, publish, RELIABLE_PUBLISHER_QOS, REPO_ROOT, rgbImage, startTestNode, TestNode, waitUntil } from "./harness";

import { REAL_BAGS } from "../real-bags-dir";
const TINY_MODEL = join(REPO_ROOT, "test", "runtime", "fixtures", "tiny-model");
const RESULT = "/softskip_grounding/result";

/** Encodings the node grounds; every other one is rejected per message. */
const SUPPORTED = new Set(["rgb8", "bgr8", "rgba8", "bgra8", "mono8", "8UC1", "8UC3"]);

async function readImages<T>(bag: string, topicPrefix: string): Promise<{ topic: string; message: T }[]> {
  const reader = await openBag(bag);
  const images: { topic: string; message: T }[] = [];
  try {
    for await (const entry of reader.messages()) {
      if (entry.topic.startsWith(topicPrefix)) {
        images.push({ topic: entry.topic, message: entry.decode() as T });
      }
    }
  } finally {
    await reader.close();
  }
  return images;
}

function sameStamp(a: { sec: number; nanosec: number }, b: { sec: number; nanosec: number }): boolean {
  return a.sec === b.sec && a.nanosec === b.nanosec;
}

/** Publishes one image and waits for the result stamped with its header. */
async function resultFor(test: TestNode, topic: string, type: string, image: Image | CompressedImage): Promise<GroundingResult> {
  publish(test.rcl, topic, type, CAMERA_QOS, image);
  const find = (): GroundingResult | undefined =>
    test.rcl.graph.messagesOn<GroundingResult>(RESULT).find((result) => sameStamp(result.header.stamp, image.header.stamp));
  await waitUntil(() => find() !== undefined, `the result for ${topic}`, 20000);
  return find() as GroundingResult;
}

function warnings(test: TestNode): string[] {
  return test.rcl.graph.logs.filter((line) => line.level === "warn").map((line) => line.message);
}

describe("ROS node with real components", function () {
  let test: TestNode | undefined;

  before(function () {
    if (!existsSync(join(TINY_MODEL, "manifest.json"))) {
      this.skip();
    }
  });

  afterEach(async function () {
    await test?.running.stop("test finished");
    test = undefined;
  });

  async function startWithOnnx(rosArgs: string[] = []): Promise<TestNode> {
    const started = await startTestNode({ loadEngine: loadGroundingEngine, rosArgs: ["-p", `model_path:=${TINY_MODEL}`, ...rosArgs] });
    publish(started.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "um, grab the red cup please" });
    return started;
  }

  it("grounds with the ONNX engine", async function () {
    test = await startWithOnnx(["-p", "policy:=full"]);
    const image = rgbImage(96, 64, { sec: 1800000000 });
    const result = await resultFor(test, "/image", "sensor_msgs/msg/Image", image);
    assert.ok(result.status === GROUNDING_STATUS.GROUNDED || result.status === GROUNDING_STATUS.NOT_FOUND, `status ${result.status}`);
    assert.equal(result.expression, "the red cup");
    assert.equal(result.policy, "full");
    assert.ok(result.executed_blocks.length > 0, "no blocks ran");
    assert.ok(Math.abs(result.compute_ratio - 1) < 1e-6, `compute ratio ${result.compute_ratio} under full`);
    assert.ok(result.latency_ms > 0);
    assert.deepEqual(result.header, image.header);
    assert.ok(result.bbox.center.position.x >= 0 && result.bbox.center.position.x <= 96);
  });

  it("grounds and rejects every encoding of the zoo bag", async function () {
    const bag = join(REAL_BAGS, "repro", "repro_encoding_zoo.mcap");
    if (!existsSync(bag)) {
      this.skip();
    }
    test = await startWithOnnx();
    const images = await readImages<Image>(bag, "/zoo/");
    assert.equal(images.length, 13);

    let rejected = 0;
    for (const { topic, message } of images) {
      const result = await resultFor(test, "/image", "sensor_msgs/msg/Image", message);
      if (SUPPORTED.has(message.encoding)) {
        assert.notEqual(result.status, GROUNDING_STATUS.REJECTED_INPUT, `${topic} was rejected: ${JSON.stringify(warnings(test))}`);
      } else {
        assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT, `${topic} was not rejected`);
        rejected += 1;
      }
    }

    // Warnings are rate-limited per topic and reason, so the first unsupported encoding is
    // named and the diagnostics count every rejection.
    assert.equal(rejected, 6);
    assert.ok(warnings(test).some((line) => line.startsWith('Rejected /image (field encoding, unsupported_encoding): Unsupported image encoding "mono16"')), JSON.stringify(warnings(test)));
    test.rcl.graph.fireTimers();
    const status = test.rcl.graph.messagesOn<DiagnosticArray>("/diagnostics")[0].status[0];
    assert.equal(status.values.find((entry) => entry.key === "rejected /image: unsupported_encoding")?.value, "6");
  });

  it("grounds every colour format of the compressed bag", async function () {
    const bag = join(REAL_BAGS, "repro", "repro_compressed_formats.mcap");
    if (!existsSync(bag)) {
      this.skip();
    }
    test = await startWithOnnx(["-p", "image_transport:=compressed"]);
    const images = await readImages<CompressedImage>(bag, "/");
    const colour = images.filter(({ topic }) => topic.startsWith("/cam/"));
    const depth = images.filter(({ topic }) => topic.startsWith("/depth/"));
    assert.ok(colour.length >= 6 && depth.length >= 3, `found ${images.map(({ topic }) => topic).join(", ")}`);

    for (const { topic, message } of colour) {
      const result = await resultFor(test, "/image/compressed", "sensor_msgs/msg/CompressedImage", message);
      assert.notEqual(result.status, GROUNDING_STATUS.REJECTED_INPUT, `${topic} (${JSON.stringify(message.format)}) was rejected`);
    }
    for (const { topic, message } of depth) {
      const result = await resultFor(test, "/image/compressed", "sensor_msgs/msg/CompressedImage", message);
      assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT, `${topic} (${JSON.stringify(message.format)}) was not rejected`);
    }
  });

  it("rejects the truncated images of a real bag", async function () {
    const bag = join(REAL_BAGS, "rosbags-rs_test_bag_mcap");
    if (!existsSync(bag)) {
      this.skip();
    }
    const [raw] = await readImages<Image>(bag, "/test/sensor_msgs/image");
    const [compressed] = await readImages<CompressedImage>(bag, "/test/sensor_msgs/compressed_image");

    test = await startWithOnnx();
    const rawResult = await resultFor(test, "/image", "sensor_msgs/msg/Image", raw.message);
    assert.equal(rawResult.status, GROUNDING_STATUS.REJECTED_INPUT);
    await test.running.stop("next case");

    test = await startWithOnnx(["-p", "image_transport:=compressed"]);
    const compressedResult = await resultFor(test, "/image/compressed", "sensor_msgs/msg/CompressedImage", compressed.message);
    assert.equal(compressedResult.status, GROUNDING_STATUS.REJECTED_INPUT);
    assert.ok(warnings(test).some((line) => line.startsWith("Rejected /image/compressed")), JSON.stringify(warnings(test)));
  });
});
