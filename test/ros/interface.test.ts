import { strict as assert } from "node:assert";

import type { Detection2DArray, DiagnosticArray, GroundingResult, Image, ImageAnnotations } from "../../src/msgs";
import { GROUNDING_STATUS } from "../../src/msgs";
import { CLOCK_TYPE, QOS_POLICY } from "../../src/ros/rclnodejs-api";
import {
  CAMERA_QOS,
  jpegImage,
  publish,
  RELIABLE_PUBLISHER_QOS,
  rgbImage,
  startTestNode,
  TestNode,
  waitUntil,
} from "./harness";

const RESULT = "/softskip_grounding/result";

describe("ROS interface (contract table)", function () {
  let test: TestNode | undefined;

  afterEach(async function () {
    await test?.running.stop("test finished");
    test = undefined;
  });

  it("subscribes to image with sensor-data QoS", async function () {
    test = await startTestNode();
    const subscription = test.rcl.graph.subscriptionOn("/image");
    assert.ok(subscription, "no subscription on /image");
    assert.equal(subscription.type, "sensor_msgs/msg/Image");
    assert.equal(subscription.qos.reliability, QOS_POLICY.RELIABILITY_BEST_EFFORT);
    assert.equal(subscription.qos.history, QOS_POLICY.HISTORY_KEEP_LAST);
    assert.equal(subscription.qos.depth, 1);
    assert.equal(test.rcl.graph.subscriptionOn("/image/compressed"), undefined);
  });

  it("subscribes to image/compressed when image_transport is compressed", async function () {
    test = await startTestNode({ rosArgs: ["-p", "image_transport:=compressed"] });
    const subscription = test.rcl.graph.subscriptionOn("/image/compressed");
    assert.ok(subscription, "no subscription on /image/compressed");
    assert.equal(subscription.type, "sensor_msgs/msg/CompressedImage");
    assert.equal(subscription.qos.reliability, QOS_POLICY.RELIABILITY_BEST_EFFORT);
    assert.equal(test.rcl.graph.subscriptionOn("/image"), undefined);
  });

  it("subscribes to transcript reliable, keep last 10", async function () {
    test = await startTestNode();
    const subscription = test.rcl.graph.subscriptionOn("/transcript");
    assert.ok(subscription, "no subscription on /transcript");
    assert.equal(subscription.type, "std_msgs/msg/String");
    assert.equal(subscription.qos.reliability, QOS_POLICY.RELIABILITY_RELIABLE);
    assert.equal(subscription.qos.depth, 10);
  });

  it("advertises the reliable outputs under the node name", async function () {
    test = await startTestNode();
    const expected: [string, string][] = [
      [RESULT, "softskip_msgs/msg/GroundingResult"],
      ["/softskip_grounding/detections", "vision_msgs/msg/Detection2DArray"],
      ["/softskip_grounding/annotations", "foxglove_msgs/msg/ImageAnnotations"],
      ["/diagnostics", "diagnostic_msgs/msg/DiagnosticArray"],
    ];
    for (const [topic, type] of expected) {
      const publisher = test.rcl.graph.publisherOn(topic);
      assert.ok(publisher, `no publisher on ${topic}`);
      assert.equal(publisher.type, type);
      assert.equal(publisher.qos.reliability, QOS_POLICY.RELIABILITY_RELIABLE, topic);
    }
  });

  it("advertises ~/debug_image only when enabled", async function () {
    test = await startTestNode();
    assert.equal(test.rcl.graph.publisherOn("/softskip_grounding/debug_image"), undefined);
    await test.running.stop("next case");

    test = await startTestNode({ rosArgs: ["-p", "publish_debug_image:=true"] });
    const publisher = test.rcl.graph.publisherOn("/softskip_grounding/debug_image");
    assert.ok(publisher, "no publisher on ~/debug_image");
    assert.equal(publisher.type, "sensor_msgs/msg/Image");
    // Reliable, so that RViz's Image display (reliable by default) receives it.
    assert.equal(publisher.qos.reliability, QOS_POLICY.RELIABILITY_RELIABLE);
    assert.equal(publisher.qos.depth, 1);
  });

  it("offers the ~/ground service", async function () {
    test = await startTestNode();
    const service = test.rcl.graph.services.get("/softskip_grounding/ground");
    assert.ok(service, "no ~/ground service");
    assert.equal(service.type, "softskip_msgs/srv/Ground");
  });

  it("applies topic remappings from --ros-args", async function () {
    test = await startTestNode({ rosArgs: ["-r", "image:=/camera/color/image_raw", "-r", "transcript:=/speech/text"] });
    assert.ok(test.rcl.graph.subscriptionOn("/camera/color/image_raw"));
    assert.ok(test.rcl.graph.subscriptionOn("/speech/text"));
  });

  it("grounds a transcript on the next image", async function () {
    test = await startTestNode();
    const rcl = test.rcl;
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(64, 48, { sec: 1700000000 }));
    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "pick up the red mug" });
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(64, 48, { sec: 1700000001 }));
    await waitUntil(() => rcl.graph.messagesOn(RESULT).length > 0, "a result");

    const result = rcl.graph.messagesOn<GroundingResult>(RESULT)[0];
    assert.equal(result.status, GROUNDING_STATUS.GROUNDED);
    assert.equal(result.transcript, "pick up the red mug");
    assert.equal(result.expression, "the red mug");
    assert.equal(result.header.frame_id, "camera_optical_frame");
    assert.ok(result.header.stamp.sec >= 1700000000, `stamp ${result.header.stamp.sec} is not an image's`);
    assert.equal(result.header.stamp.nanosec, 5);
    assert.equal(result.bbox.center.position.x, 32);
    assert.equal(result.bbox.center.position.y, 24);
    assert.equal(result.bbox.size_x, 32);
    assert.equal(result.policy, "budget");
    assert.deepEqual(result.executed_blocks, ["stem", "fuse.s8"]);
    assert.ok(result.command_id >= 1);

    const detections = rcl.graph.messagesOn<Detection2DArray>("/softskip_grounding/detections")[0];
    assert.equal(detections.detections.length, 1);
    assert.deepEqual(detections.header, result.header);
    assert.equal(detections.detections[0].bbox.size_y, 24);

    const annotations = rcl.graph.messagesOn<ImageAnnotations>("/softskip_grounding/annotations")[0];
    assert.equal(annotations.points.length, 1);
    assert.equal(annotations.points[0].points.length, 4);
    assert.match(annotations.texts[0].text, /the red mug/);
  });

  it("clears ~/detections and ~/annotations when the command is stopped", async function () {
    test = await startTestNode();
    const rcl = test.rcl;
    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "pick up the red mug" });
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(64, 48, { sec: 1700000001 }));
    await waitUntil(() => rcl.graph.messagesOn<GroundingResult>(RESULT).some((r) => r.status === GROUNDING_STATUS.GROUNDED), "a grounded result");
    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "stop" });
    await waitUntil(() => rcl.graph.messagesOn("/softskip_grounding/annotations").length === 2, "annotations after the stop");

    const annotations = rcl.graph.messagesOn<ImageAnnotations>("/softskip_grounding/annotations");
    assert.deepEqual(annotations[1], { circles: [], points: [], texts: [] });
    const detections = rcl.graph.messagesOn<Detection2DArray>("/softskip_grounding/detections");
    assert.equal(detections.length, 2);
    assert.deepEqual(detections[1].detections, []);
    assert.equal(detections[1].header.frame_id, "camera_optical_frame");
    // ~/result has no status for a stop: the last result stays the grounded one.
    assert.equal(rcl.graph.messagesOn(RESULT).length, 1);
  });

  it("publishes NO_IMAGE when a command precedes every frame", async function () {
    test = await startTestNode();
    publish(test.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "grab the blue bowl" });
    await waitUntil(() => test?.rcl.graph.messagesOn(RESULT).length === 1, "a NO_IMAGE result");
    const results = test.rcl.graph.messagesOn<GroundingResult>(RESULT);
    assert.equal(results.length, 1);
    assert.equal(results[0].status, GROUNDING_STATUS.NO_IMAGE);
    assert.equal(results[0].expression, "the blue bowl");
    assert.equal(results[0].transcript, "grab the blue bowl");
    assert.equal(results[0].command_id, 1);
  });

  it("grounds compressed images with a verbose format", async function () {
    test = await startTestNode({ rosArgs: ["-p", "image_transport:=compressed"] });
    const rcl = test.rcl;
    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
    const image = await jpegImage(40, 30, "rgb8; jpeg compressed bgr8");
    publish(rcl, "/image/compressed", "sensor_msgs/msg/CompressedImage", CAMERA_QOS, image);
    await waitUntil(() => rcl.graph.messagesOn<GroundingResult>(RESULT).some((r) => r.status === GROUNDING_STATUS.GROUNDED), "a grounded result");
    const result = rcl.graph.messagesOn<GroundingResult>(RESULT).find((r) => r.status === GROUNDING_STATUS.GROUNDED);
    assert.equal(result?.bbox.size_x, 20);
    assert.equal(result?.header.stamp.nanosec, 7);
  });

  it("reports not found below min_score with no detection", async function () {
    test = await startTestNode({ score: 0.2 });
    const rcl = test.rcl;
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(16, 16));
    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the green cup" });
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(16, 16, { sec: 101 }));
    await waitUntil(() => rcl.graph.messagesOn(RESULT).length > 0, "a result");
    const result = rcl.graph.messagesOn<GroundingResult>(RESULT)[0];
    assert.equal(result.status, GROUNDING_STATUS.NOT_FOUND);
    const detections = rcl.graph.messagesOn<Detection2DArray>("/softskip_grounding/detections")[0];
    assert.equal(detections.detections.length, 0);
  });

  it("publishes ~/debug_image with the image header", async function () {
    test = await startTestNode({ rosArgs: ["-p", "publish_debug_image:=true"] });
    const rcl = test.rcl;
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(32, 24));
    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(32, 24, { sec: 102 }));
    await waitUntil(() => rcl.graph.messagesOn("/softskip_grounding/debug_image").length > 0, "a debug image");
    const image = rcl.graph.messagesOn<Image>("/softskip_grounding/debug_image")[0];
    assert.equal(image.encoding, "rgb8");
    assert.equal(image.width, 32);
    assert.equal(image.step, 96);
    assert.equal(image.data.length, 32 * 24 * 3);
    assert.equal(image.header.frame_id, "camera_optical_frame");
  });

  it("survives a message that fails to publish", async function () {
    test = await startTestNode();
    const rcl = test.rcl;
    const engine = test.engine;
    const ground = engine.ground.bind(engine);
    engine.ground = async (...args) => {
      engine.ground = ground;
      // A BigInt in a float32 field is what rclnodejs refuses to serialize.
      return { ...(await ground(...args)), computeRatio: 5n as unknown as number };
    };
    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(8, 8, { sec: 300 }));
    await waitUntil(() => rcl.graph.logs.some((line) => line.level === "error"), "the publish error");
    assert.match(rcl.graph.logs.find((line) => line.level === "error")?.message ?? "", /Publishing the result event failed: .*compute_ratio/);

    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(8, 8, { sec: 301 }));
    await waitUntil(() => rcl.graph.messagesOn<GroundingResult>(RESULT).some((r) => r.header.stamp.sec === 301), "the next result");
  });

  it("times /diagnostics on a steady clock", async function () {
    test = await startTestNode();
    const timers = test.rcl.graph.timers;
    assert.equal(timers.length, 1);
    assert.equal(timers[0].period, 1_000_000_000n);
    // Not the node's ROS clock, which stops with a paused /clock under use_sim_time.
    assert.equal(timers[0].clock?.clockType, CLOCK_TYPE.STEADY_TIME);
  });

  it("publishes /diagnostics on its timer", async function () {
    test = await startTestNode();
    const rcl = test.rcl;
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(8, 8));
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, { ...rgbImage(8, 8), encoding: "bayer_rggb8" });
    rcl.graph.fireTimers();
    const diagnostics = rcl.graph.messagesOn<DiagnosticArray>("/diagnostics");
    assert.equal(diagnostics.length, 1);
    const status = diagnostics[0].status[0];
    assert.equal(status.name, "/softskip_grounding: grounding");
    const values = new Map(status.values.map((entry) => [entry.key, entry.value]));
    assert.equal(values.get("frames received"), "2");
    assert.equal(values.get("state"), "active");
    assert.equal(values.get("model"), "fake-model");
    for (const key of ["latency p50 ms", "latency p90 ms", "latency p99 ms", "latency budget ms", "compute ratio mean", "results stopped at deadline", "frames dropped (busy)"]) {
      assert.ok(values.has(key), `missing ${key}`);
    }
  });
});
