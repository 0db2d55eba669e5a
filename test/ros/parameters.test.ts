import { strict as assert } from "node:assert";
import { join } from "node:path";

import { ParameterError } from "../../src/errors";
import type { DiagnosticArray, GroundingResult } from "../../src/msgs";
import { GROUNDING_STATUS } from "../../src/msgs";
import { PARAMETER_DECLARATIONS, PARAMETER_NAMES } from "../../src/params/declarations";
import { PARAMETER_TYPE } from "../../src/ros/rclnodejs-api";
import { FakeParameter } from "./fake-rclnodejs";
import { CAMERA_QOS, publish, RELIABLE_PUBLISHER_QOS, REPO_ROOT, rgbImage, startTestNode, TestNode, waitUntil } from "./harness";

const PARAMS_FILE = join(REPO_ROOT, "config", "params.yaml");
const RESULT = "/softskip_grounding/result";

describe("ROS parameters", function () {
  let test: TestNode | undefined;

  afterEach(async function () {
    await test?.running.stop("test finished");
    test = undefined;
  });

  it("declares every parameter with its descriptor", async function () {
    test = await startTestNode();
    const node = test.rcl.node;
    for (const name of PARAMETER_NAMES) {
      const declaration = PARAMETER_DECLARATIONS[name];
      const descriptor = node.getParameterDescriptor(name);
      assert.ok(descriptor, `no descriptor for ${name}`);
      assert.equal(descriptor.description, declaration.description, name);
      assert.equal(descriptor.readOnly, !declaration.dynamic, name);
      if (declaration.range) {
        assert.ok(descriptor.range, `no range for ${name}`);
        assert.equal(Number(descriptor.range.fromValue), declaration.range.min, name);
        assert.equal(Number(descriptor.range.toValue), declaration.range.max, name);
        assert.equal(Number(descriptor.range.step), declaration.type === "integer" ? 1 : 0, name);
      }
      if (declaration.allowed) {
        assert.match(descriptor.additionalConstraints, new RegExp(declaration.allowed.join(", ")), name);
      }
    }
  });

  it("declares integers as BigInt", async function () {
    test = await startTestNode();
    const parameter = test.rcl.node.getParameter("num_threads");
    assert.equal(parameter.type, PARAMETER_TYPE.INTEGER);
    assert.equal(parameter.value, 1n);
    assert.equal(test.running.node.parameters.current.num_threads, 1);
  });

  it("reads config/params.yaml through --params-file", async function () {
    test = await startTestNode({ rosArgs: ["--params-file", PARAMS_FILE, "-p", "policy:=softskip", "-p", "num_threads:=2"] });
    const current = test.running.node.parameters.current;
    assert.equal(current.policy, "softskip");
    assert.equal(current.num_threads, 2);
    assert.equal(current.latency_budget_ms, 200);
  });

  it("rejects an invalid override at start", async function () {
    await assert.rejects(
      startTestNode({ rosArgs: ["-p", "policy:=fastest"] }),
      (error: unknown) => error instanceof ParameterError && /policy must be one of full, lgmdp, softskip, budget, static but received "fastest"/.test(error.message),
    );
  });

  it("names a whole number given for a double", async function () {
    await assert.rejects(
      startTestNode({ rosArgs: ["-p", "latency_budget_ms:=300"] }),
      (error: unknown) => error instanceof ParameterError && /latency_budget_ms is a double but received the integer 300; write 300\.0/.test(error.message),
    );
  });

  it("rejects an out-of-range override at start", async function () {
    await assert.rejects(
      startTestNode({ rosArgs: ["-p", "gate_threshold:=1.5"] }),
      (error: unknown) => error instanceof ParameterError && /gate_threshold must be between -1 and 1 but received 1.5/.test(error.message),
    );
  });

  it("applies a dynamic change on the next frame", async function () {
    test = await startTestNode();
    const rcl = test.rcl;
    const result = rcl.node.setParameter(new FakeParameter("policy", PARAMETER_TYPE.STRING, "full"));
    assert.deepEqual(result, { successful: true, reason: "" });
    rcl.node.setParameter(new FakeParameter("latency_budget_ms", PARAMETER_TYPE.DOUBLE, 450.0));
    assert.equal(test.running.node.parameters.current.policy, "full");

    publish(rcl, "/transcript", "std_msgs/msg/String", RELIABLE_PUBLISHER_QOS, { data: "the red mug" });
    publish(rcl, "/image", "sensor_msgs/msg/Image", CAMERA_QOS, rgbImage(16, 16));
    await waitUntil(() => rcl.graph.messagesOn<GroundingResult>(RESULT).some((result) => result.status === GROUNDING_STATUS.GROUNDED), "a grounded result");
    const published = rcl.graph.messagesOn<GroundingResult>(RESULT).filter((result) => result.status === GROUNDING_STATUS.GROUNDED)[0];
    assert.equal(published.policy, "full");
    assert.equal(test.engine.calls[0].options.policy, "full");
    assert.ok(rcl.graph.logs.some((line) => line.message === 'Parameter policy set to "full".'));
  });

  it("rejects an unknown policy with the allowed values", async function () {
    test = await startTestNode();
    const result = test.rcl.node.setParameter(new FakeParameter("policy", PARAMETER_TYPE.STRING, "fastest"));
    assert.equal(result.successful, false);
    assert.match(result.reason, /policy must be one of full, lgmdp, softskip, budget, static but received "fastest"/);
    assert.equal(test.running.node.parameters.current.policy, "budget");
  });

  it("logs the reason for an out-of-range change", async function () {
    test = await startTestNode();
    const result = test.rcl.node.setParameter(new FakeParameter("min_score", PARAMETER_TYPE.DOUBLE, 2.0));
    assert.equal(result.successful, false);
    assert.equal(test.running.node.parameters.current.min_score, -1);
    const warning = test.rcl.graph.logs.find((line) => line.level === "warn" && line.message.includes("min_score"));
    assert.match(warning?.message ?? "", /min_score must be between -1 and 1 but received 2/);
  });

  it("logs the fix for a whole number given to a double", async function () {
    test = await startTestNode();
    const result = test.rcl.node.setParameter(new FakeParameter("command_ttl_s", PARAMETER_TYPE.INTEGER, 5n));
    assert.equal(result.successful, false);
    const warning = test.rcl.graph.logs.find((line) => line.level === "warn" && line.message.includes("command_ttl_s"));
    assert.match(warning?.message ?? "", /command_ttl_s is a double but received the integer 5; write 5\.0/);
  });

  it("keeps non-dynamic parameters read-only", async function () {
    test = await startTestNode();
    for (const [name, parameter] of [
      ["num_threads", new FakeParameter("num_threads", PARAMETER_TYPE.INTEGER, 4n)],
      ["model_path", new FakeParameter("model_path", PARAMETER_TYPE.STRING, "/tmp")],
      ["image_transport", new FakeParameter("image_transport", PARAMETER_TYPE.STRING, "compressed")],
    ] as const) {
      const result = test.rcl.node.setParameter(parameter);
      assert.equal(result.successful, false, name);
      const warning = test.rcl.graph.logs.find((line) => line.level === "warn" && line.message.includes(`${name} is read-only`));
      assert.ok(warning, `no read-only warning for ${name}`);
      assert.match(warning.message, /restart the node/);
    }
  });

  it("stamps diagnostics with simulated time", async function () {
    test = await startTestNode({ rosArgs: ["-p", "use_sim_time:=true"] });
    publish(test.rcl, "/clock", "rosgraph_msgs/msg/Clock", RELIABLE_PUBLISHER_QOS, { clock: { sec: 12, nanosec: 300000000 } });
    test.rcl.graph.fireTimers();
    const diagnostics = test.rcl.graph.messagesOn<DiagnosticArray>("/diagnostics")[0];
    assert.deepEqual(diagnostics.header.stamp, { sec: 12, nanosec: 300000000 });
  });
});
