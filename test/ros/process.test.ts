/**
 * `softskip node` as a process: the fake rclnodejs is found through NODE_PATH, the real
 * engine loads the tiny test model in its worker thread, and a signal must end the
 * process, as `ros2 launch` expects.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { REPO_ROOT } from "./harness";

const TINY_MODEL = join(REPO_ROOT, "test", "runtime", "fixtures", "tiny-model");
const MAIN = join(REPO_ROOT, "dist", "src", "cli", "main.js");

/**
 * Writes a `rclnodejs` module that is the fake. It prints "spinning" when the node starts
 * spinning and, at exit, the node's log lines as JSON, so the test can read both.
 */
function writeFakeModule(directory: string): void {
  const fake = join(REPO_ROOT, "dist", "test", "ros", "fake-rclnodejs.js");
  mkdirSync(join(directory, "rclnodejs"));
  writeFileSync(
    join(directory, "rclnodejs", "index.js"),
    [
      `const { FakeRclnodejs, FakeNode } = require(${JSON.stringify(fake)});`,
      "const rcl = FakeRclnodejs.create();",
      "const spin = FakeNode.prototype.spin;",
      "FakeNode.prototype.spin = function () { spin.call(this); process.stdout.write('spinning\\n'); };",
      "process.on('exit', () => process.stderr.write('LOGS ' + JSON.stringify(rcl.graph.logs) + '\\n'));",
      "module.exports = rcl;",
    ].join("\n"),
  );
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runUntilSpinning(args: string[], modules: string): Promise<{ child: ChildProcess; exited: Promise<Exit> }> {
  const child = spawn(process.execPath, [MAIN, "node", ...args], {
    env: { ...process.env, NODE_PATH: modules },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("spinning")) {
        resolve({ child, exited });
      }
    });
    exited.then((exit) => reject(new Error(`softskip node exited before spinning (code ${exit.code}): ${exit.stderr}`)));
  });
}

function logLines(stderr: string): { level: string; message: string }[] {
  const line = stderr.split("\n").find((entry) => entry.startsWith("LOGS "));
  return line === undefined ? [] : (JSON.parse(line.slice(5)) as { level: string; message: string }[]);
}

describe("softskip node process", function () {
  let modules: string;

  before(function () {
    if (!existsSync(join(TINY_MODEL, "manifest.json"))) {
      this.skip();
    }
    modules = mkdtempSync(join(tmpdir(), "softskip-fake-rclnodejs-"));
    writeFakeModule(modules);
  });

  after(function () {
    if (modules !== undefined) {
      rmSync(modules, { recursive: true, force: true });
    }
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`exits 0 on ${signal} with the model loaded`, async function () {
      const { child, exited } = await runUntilSpinning(["--ros-args", "-p", `model_path:=${TINY_MODEL}`], modules);
      child.kill(signal);
      const exit = await exited;
      assert.equal(exit.code, 0, exit.stderr);
      const messages = logLines(exit.stderr).map((line) => line.message);
      assert.ok(messages.includes(`Stopping: received ${signal}.`), JSON.stringify(messages));
      assert.ok(messages.some((message) => message.startsWith("Transition shutdown: finalized")), JSON.stringify(messages));
    });
  }

  it("exits 1 naming a missing model", async function () {
    const child = spawn(process.execPath, [MAIN, "node", "--ros-args", "-p", "model_path:=/nonexistent/model"], {
      env: { ...process.env, NODE_PATH: modules },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 1);
    assert.match(stderr, /^softskip: Model manifest \/nonexistent\/model\/manifest.json not found; set model_path/m);
  });
});
