import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { ArgumentError } from "../../src/errors";
import { parseNodeArguments } from "../../src/cli/node";
import { loadRclnodejs, RclnodejsUnavailableError } from "../../src/ros/load-rclnodejs";
import { FakeRclnodejs } from "./fake-rclnodejs";
import { REPO_ROOT } from "./harness";

/** These cases check the message of a machine without rclnodejs. */
function rclnodejsInstalled(): boolean {
  try {
    require.resolve("rclnodejs");
    return true;
  } catch {
    return false;
  }
}

/** Counts sentences: a full stop followed by a space and a capital letter starts a new one. */
function sentenceCount(text: string): number {
  return text.trim().split(/\.\s+(?=[A-Z])/).length;
}

describe("rclnodejs loading", function () {
  it("says in one sentence how to install it", function () {
    assert.throws(
      () => loadRclnodejs("rclnodejs-not-installed-here"),
      (error: unknown) => {
        assert.ok(error instanceof RclnodejsUnavailableError);
        assert.equal(error.code, "UNSUPPORTED");
        assert.match(error.message, /because it is not installed/);
        assert.match(error.message, /source \/opt\/ros\/\$ROS_DISTRO\/setup.bash/);
        assert.match(error.message, /npm_config_yes=true npm install --no-save rclnodejs@2/);
        assert.match(error.message, /npm_config_nodedir=\/usr/);
        assert.equal(sentenceCount(error.message), 1, error.message);
        return true;
      },
    );
  });

  it("says how to rebuild a binding built without ROS", function () {
    const failing = (): unknown => {
      throw new Error("Cannot find module '../build/Release/rclnodejs.node'\nRequire stack: ...");
    };
    assert.throws(
      () => loadRclnodejs("rclnodejs", failing),
      (error: unknown) =>
        error instanceof RclnodejsUnavailableError &&
        /loading it failed \(Cannot find module '..\/build\/Release\/rclnodejs.node'\)/.test(error.message) &&
        /npm_config_yes=true npm rebuild rclnodejs/.test(error.message) &&
        !error.message.includes("Require stack"),
    );
  });

  it("rejects a module without the 2.x API", function () {
    assert.throws(
      () => loadRclnodejs("rclnodejs", () => ({ init: () => undefined })),
      /the loaded module lacks Node, QoS, Parameter, ParameterDescriptor, lifecycle \(rclnodejs 2.x is required\)/,
    );
  });

  it("accepts the fake, which has the 2.x API", function () {
    const fake = FakeRclnodejs.create();
    assert.equal(loadRclnodejs("rclnodejs", () => fake), fake);
    assert.equal(loadRclnodejs("rclnodejs", () => ({ default: fake })), fake);
  });

  it("softskip node exits 1 with that sentence", function () {
    if (rclnodejsInstalled()) {
      this.skip();
    }
    const main = join(REPO_ROOT, "dist", "src", "cli", "main.js");
    const run = spawnSync(process.execPath, [main, "node", "--ros-args", "-r", "__node:=grounding"], { encoding: "utf8" });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^softskip: rclnodejs cannot be loaded because it is not installed: source ROS 2/);
  });

  it("grounding_node passes ros2 arguments through", function () {
    if (rclnodejsInstalled()) {
      this.skip();
    }
    const script = join(REPO_ROOT, "scripts", "grounding_node");
    const help = spawnSync(script, ["--help"], { encoding: "utf8" });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: softskip node \[--lifecycle\]/);

    const ros = spawnSync(script, ["--lifecycle", "--ros-args", "-r", "__node:=softskip_grounding", "--params-file", "/tmp/p.yaml"], { encoding: "utf8" });
    assert.equal(ros.status, 1);
    assert.match(ros.stderr, /rclnodejs cannot be loaded/);
  });
});

describe("softskip node arguments", function () {
  it("splits own options from ROS arguments", function () {
    assert.deepEqual(parseNodeArguments(["--lifecycle", "--ros-args", "-p", "policy:=full"]), {
      lifecycle: true,
      help: false,
      rosArgs: ["--ros-args", "-p", "policy:=full"],
    });
    assert.deepEqual(parseNodeArguments([]), { lifecycle: false, help: false, rosArgs: [] });
  });

  it("leaves flags after --ros-args to rcl", function () {
    assert.equal(parseNodeArguments(["--ros-args", "--lifecycle"]).lifecycle, false);
  });

  it("rejects an unknown option naming it", function () {
    assert.throws(
      () => parseNodeArguments(["--budget", "200"]),
      (error: unknown) => error instanceof ArgumentError && /Unknown argument "--budget" for softskip node; expected --lifecycle, --help or --ros-args/.test(error.message),
    );
  });
});
