import { strict as assert } from "node:assert";

import type { GroundingResult, Image } from "../../src/msgs";
import { GROUNDING_STATUS } from "../../src/msgs";
import { checkMessage } from "./fake-message-check";
import { CAMERA_QOS, publish, rgbImage, startTestNode, TestNode } from "./harness";

const SERVICE = "/softskip_grounding/ground";

/** Builds the empty image of a request for the latest received frame. */
function emptyImage(): Image {
  return { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, height: 0, width: 0, encoding: "", is_bigendian: 0, step: 0, data: new Uint8Array(0) };
}

async function callGround(test: TestNode, request: { text: string; policy: string; image: Image }): Promise<GroundingResult> {
  checkMessage("sensor_msgs/msg/Image", request.image);
  const response = (await test.rcl.graph.callService(SERVICE, request)) as { result: GroundingResult };
  checkMessage("softskip_msgs/msg/GroundingResult", response.result);
  return response.result;
}

describe("ROS ~/ground service", function () {
  let test: TestNode | undefined;

  afterEach(async function () {
    await test?.running.stop("test finished");
    test = undefined;
  });

  it("grounds on the latest frame", async function () {
    test = await startTestNode();
    publish(test.rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(20, 10, { sec: 55 }));
    const result = await callGround(test, { text: "could you grab the red mug please", policy: "", image: emptyImage() });
    assert.equal(result.status, GROUNDING_STATUS.GROUNDED);
    assert.equal(result.expression, "the red mug");
    assert.equal(result.header.stamp.sec, 55);
    assert.equal(result.policy, "budget");
    assert.equal(result.bbox.size_x, 10);
    assert.equal(test.engine.released, 1, "the service releases its command encoding");
  });

  it("grounds on the request's image with its policy", async function () {
    test = await startTestNode();
    const result = await callGround(test, { text: "the blue bowl", policy: "full", image: rgbImage(40, 20, { sec: 77 }) });
    assert.equal(result.status, GROUNDING_STATUS.GROUNDED);
    assert.equal(result.policy, "full");
    assert.equal(result.header.stamp.sec, 77);
    assert.equal(result.bbox.size_x, 20);
    assert.equal(test.engine.calls[0].options.policy, "full");
  });

  it("answers REJECTED_INPUT on model failure", async function () {
    test = await startTestNode();
    test.engine.ground = () => Promise.reject(new Error("onnxruntime: session run failed"));
    const result = await callGround(test, { text: "the red mug", policy: "", image: rgbImage(8, 8) });
    assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT);
    assert.match(test.rcl.graph.logs.find((line) => line.level === "error")?.message ?? "", /failed: onnxruntime: session run failed/);
    assert.equal(test.engine.released, 1, "the command encoding is released");
  });

  it("answers NO_IMAGE for a stale frame", async function () {
    let nowMs = 1000;
    test = await startTestNode({ now: () => nowMs });
    publish(test.rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(20, 10, { sec: 55 }));
    nowMs += 60_000;
    const result = await callGround(test, { text: "the red mug", policy: "", image: emptyImage() });
    assert.equal(result.status, GROUNDING_STATUS.NO_IMAGE);
    assert.match(test.rcl.graph.logs.find((line) => /ms old/.test(line.message))?.message ?? "", /the latest image is 60000 ms old, over max_image_age_ms/);
  });

  it("answers NO_IMAGE before any frame", async function () {
    test = await startTestNode();
    const result = await callGround(test, { text: "the red mug", policy: "", image: emptyImage() });
    assert.equal(result.status, GROUNDING_STATUS.NO_IMAGE);
    assert.equal(result.expression, "the red mug");
  });

  it("rejects an unknown policy naming the allowed ones", async function () {
    test = await startTestNode();
    const result = await callGround(test, { text: "the red mug", policy: "fastest", image: rgbImage(8, 8) });
    assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT);
    const warning = test.rcl.graph.logs.find((line) => line.level === "warn");
    assert.match(warning?.message ?? "", /policy must be one of full, lgmdp, softskip, budget, static but received "fastest"/);
  });

  it("rejects text without an expression", async function () {
    test = await startTestNode();
    const result = await callGround(test, { text: "um", policy: "", image: rgbImage(8, 8) });
    assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT);
    assert.match(test.rcl.graph.logs.find((line) => line.level === "warn")?.message ?? "", /text "um" contains no referring expression/);
  });

  it("rejects an unsupported request image", async function () {
    test = await startTestNode();
    const result = await callGround(test, { text: "the red mug", policy: "", image: { ...rgbImage(4, 4, { channels: 2 }), encoding: "mono16" } });
    assert.equal(result.status, GROUNDING_STATUS.REJECTED_INPUT);
    assert.equal(result.expression, "the red mug");
    assert.match(test.rcl.graph.logs.find((line) => line.level === "warn")?.message ?? "", /mono16/);
  });
});
