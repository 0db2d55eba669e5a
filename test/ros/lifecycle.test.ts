import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";

import { ModelError, StateError } from "../../src/errors";
import type { GroundingResult } from "../../src/msgs";
import { GROUNDING_STATUS } from "../../src/msgs";
import { LifecycleStateMachine } from "../../src/ros/lifecycle";
import { FakeRclnodejs, type FakeLifecycleNode } from "./fake-rclnodejs";
import { CAMERA_QOS, FakeEngine, publish, RELIABLE_PUBLISHER_QOS, rgbImage, startTestNode, TestNode, waitUntil } from "./harness";

const RESULT = "/softskip_grounding/result";

function lifecycleNode(test: TestNode): FakeLifecycleNode {
  return test.rcl.node as FakeLifecycleNode;
}

describe("ROS node lifecycle", function () {
  let test: TestNode | undefined;

  afterEach(async function () {
    await test?.running.stop("test finished");
    test = undefined;
  });

  it("starts a managed node unconfigured", async function () {
    test = await startTestNode({ lifecycle: true });
    assert.equal(lifecycleNode(test).currentState.label, "unconfigured");
    assert.equal(test.running.node.state, "unconfigured");
    assert.equal(test.rcl.graph.subscriptionOn("/image"), undefined);
    assert.equal(test.rcl.graph.publisherOn(RESULT), undefined);
    assert.deepEqual(test.modelDirs, []);
  });

  it("walks configure, activate, deactivate, cleanup", async function () {
    test = await startTestNode({ lifecycle: true });
    const node = lifecycleNode(test);
    const graph = test.rcl.graph;

    assert.equal(node.configure().label, "inactive");
    assert.ok(graph.publisherOn(RESULT), "configure creates the publishers");
    assert.equal(graph.subscriptionOn("/image"), undefined, "inactive means no subscriptions");
    assert.equal(test.modelDirs.length, 1);

    assert.equal(node.activate().label, "active");
    assert.ok(graph.subscriptionOn("/image"));
    assert.ok(graph.subscriptionOn("/transcript"));
    assert.ok(graph.services.has("/softskip_grounding/ground"));
    publish(test.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
    publish(test.rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(16, 16));
    await waitUntil(() => graph.messagesOn<GroundingResult>(RESULT).some((r) => r.status === GROUNDING_STATUS.GROUNDED), "a grounded result");

    assert.equal(node.deactivate().label, "inactive");
    assert.equal(graph.subscriptionOn("/image"), undefined);
    assert.equal(graph.services.has("/softskip_grounding/ground"), false);
    assert.equal(test.engine.closed, false, "deactivate keeps the model loaded");

    assert.equal(node.activate().label, "active", "reactivation works without reloading");
    assert.equal(test.modelDirs.length, 1);
    publish(test.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the blue bowl" });
    publish(test.rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(16, 16));
    const groundedBowl = (r: GroundingResult): boolean => r.expression === "the blue bowl" && r.status === GROUNDING_STATUS.GROUNDED;
    await waitUntil(() => graph.messagesOn<GroundingResult>(RESULT).some(groundedBowl), "a grounded result after reactivation");
    assert.equal(graph.messagesOn<GroundingResult>(RESULT).find(groundedBowl)?.command_id, 2, "command ids go on counting across activations");
    assert.equal(node.deactivate().label, "inactive");

    assert.equal(node.cleanup().label, "unconfigured");
    assert.equal(graph.publisherOn(RESULT), undefined);
    await waitUntil(() => test?.engine.closed === true, "the model to close");

    const transitions = graph.logs.filter((line) => line.message.startsWith("Transition "));
    assert.deepEqual(
      transitions.map((line) => line.message.split(":")[0]),
      ["Transition configure", "Transition activate", "Transition deactivate", "Transition activate", "Transition deactivate", "Transition cleanup"],
    );
  });

  it("stops the process after the shutdown transition", async function () {
    test = await startTestNode({ lifecycle: true });
    const node = lifecycleNode(test);
    node.configure();
    node.activate();
    assert.equal(node.shutdown().label, "finalized");
    await test.running.stopped;
    assert.equal(test.running.node.state, "finalized");
    assert.equal(test.rcl.shutdownCalls, 1);
    assert.equal(test.engine.closed, true);
  });

  it("rejects transitions out of order", async function () {
    test = await startTestNode({ lifecycle: true });
    const node = lifecycleNode(test);
    assert.throws(() => node.activate(), /No transition available/);
    assert.throws(() => test?.running.node.activate(), (error: unknown) => error instanceof StateError && /activate\(\) requires the node to be inactive but it is unconfigured; call configure\(\) before activate\(\)/.test(error.message));
    assert.throws(() => test?.running.node.deactivate(), /deactivate\(\) requires the node to be active but it is unconfigured/);
    assert.throws(() => test?.running.node.cleanup(), /cleanup\(\) requires the node to be inactive/);
    node.configure();
    assert.throws(() => test?.running.node.configure(), /configure\(\) requires the node to be unconfigured but it is inactive; call cleanup\(\) before configuring again/);
  });

  it("fails configure when the model is missing", async function () {
    test = await startTestNode({ lifecycle: true, rosArgs: ["-p", "model_path:=/nonexistent/model"] });
    const node = lifecycleNode(test);
    assert.equal(node.configure().label, "unconfigured");
    const error = test.rcl.graph.logs.find((line) => line.level === "error");
    assert.match(error?.message ?? "", /Transition configure failed: Model manifest \/nonexistent\/model\/manifest.json not found; set model_path/);
    assert.equal(node.changeStateService("configure"), false);
  });

  it("fails plain start when the model does not load", async function () {
    await assert.rejects(
      startTestNode({ loadError: new ModelError("/m/manifest.json", "Model manifest /m/manifest.json is not valid JSON.") }),
      /not valid JSON/,
    );
  });

  it("reports a model that fails to load after configure", async function () {
    test = await startTestNode({ lifecycle: true, loadError: new ModelError("/m/manifest.json", "Model block stem.onnx is missing.") });
    const node = lifecycleNode(test);
    node.configure();
    node.activate();
    await waitUntil(() => test?.rcl.graph.logs.some((line) => /Loading model .* failed: Model block stem.onnx is missing/.test(line.message)) === true, "the load error");
    test.rcl.graph.fireTimers();
    const diagnostics = test.rcl.graph.messagesOn<{ status: { level: number; message: string }[] }>("/diagnostics")[0];
    assert.equal(diagnostics.status[0].level, 2);
    assert.match(diagnostics.status[0].message, /model failed to load/);
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`shuts down cleanly on ${signal}`, async function () {
      test = await startTestNode();
      assert.equal(test.rcl.signalHandlersRemoved, true, "rclnodejs's own SIGINT handler keeps the process alive");
      test.signals.emit(signal);
      await test.running.stopped;
      assert.equal(test.running.node.state, "finalized");
      assert.equal(test.engine.closed, true);
      assert.equal(test.rcl.shutdownCalls, 1);
      assert.equal(test.signals.listenerCount(signal), 0);
      assert.ok(test.rcl.graph.logs.some((line) => line.message === `Stopping: received ${signal}.`));
    });
  }

  it("reports a stopped stream as ERROR", async function () {
    test = await startTestNode();
    test.engine.ground = () => Promise.reject(new Error("inference worker exited"));
    publish(test.rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
    publish(test.rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(8, 8));
    await waitUntil(() => test?.rcl.graph.logs.some((line) => /Grounding stream stopped/.test(line.message)) === true, "the stream error");
    test.rcl.graph.fireTimers();
    const diagnostics = test.rcl.graph.messagesOn<{ status: { level: number; message: string }[] }>("/diagnostics").at(-1);
    assert.equal(diagnostics?.status[0].level, 2);
    assert.match(diagnostics?.status[0].message ?? "", /grounding stopped: .*inference worker exited; deactivate and activate the node, or restart it/);
  });

  it("spins and stops cleanly during load", async function () {
    const rcl = FakeRclnodejs.create();
    const signals = new EventEmitter();
    let finishLoad: (engine: FakeEngine) => void = () => undefined;
    const loaded = new Promise<FakeEngine>((resolve) => {
      finishLoad = resolve;
    });
    const starting = startTestNode({ rcl, signals, loadEngine: () => loaded });
    await waitUntil(() => rcl.graph.nodes.some((node) => node.spinning), "spinning before the model is ready");
    signals.emit("SIGINT");
    finishLoad(new FakeEngine());
    test = await starting;
    await test.running.stopped;
    assert.equal(test.running.node.state, "finalized");
  });

  it("state machine names the order for every misuse", function () {
    const machine = new LifecycleStateMachine();
    machine.complete("shutdown");
    assert.throws(() => machine.check("shutdown"), /shutdown\(\) requires the node to be unconfigured or inactive or active but it is finalized/);
    assert.throws(() => machine.check("configure"), StateError);
  });
});
