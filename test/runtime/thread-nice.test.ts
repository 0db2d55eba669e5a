import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

import { loadGroundingEngine } from "../../src/runtime/engine";
import { setThreadNice } from "../../src/runtime/thread-nice";
import { REPO_ROOT, TINY_MODEL_DIR } from "./helpers";

/** Nice values of this process's threads, from /proc (field 19 of each task's stat). */
function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").map((task) => {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
    // The command name may hold spaces, so fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[16]);
  });
}

/**
 * Starts a worker thread at nice `start`, calls setThreadNice(`nice`) there, and returns
 * its result with the thread's nice value afterwards.
 */
async function setNiceInWorker(start: number, nice: number): Promise<{ failure: string | null; nice: number }> {
  const modulePath = path.join(REPO_ROOT, "dist/src/runtime/thread-nice.js");
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads"); const os = require("node:os");
     ${start === 0 ? "" : `os.setPriority(0, ${start});`}
     const failure = require(${JSON.stringify(modulePath)}).setThreadNice(${nice});
     parentPort.postMessage({ failure, nice: os.getPriority(0) });`,
    { eval: true },
  );
  try {
    return await new Promise((resolve) => worker.once("message", resolve));
  } finally {
    await worker.terminate();
  }
}

describe("runtime/thread-nice", () => {
  it("rejects a value outside -20..19", () => {
    assert.match(setThreadNice(25) ?? "", /nice 25 is outside -20\.\.19/);
  });

  it("leaves the thread alone at 0", async function () {
    if (process.platform !== "linux") {
      this.skip();
    }
    // A thread at nice 4 cannot go back to 0 without privileges, so 0 must not try.
    const reply = await setNiceInWorker(4, 0);
    assert.equal(reply.failure, null);
    assert.equal(reply.nice, 4);
  });

  it("sets only the calling thread on Linux", async function () {
    if (process.platform !== "linux") {
      this.skip();
    }
    const before = os.getPriority(0);
    const reply = await setNiceInWorker(0, 5);
    assert.equal(reply.failure, null);
    assert.equal(reply.nice, 5);
    // The main thread keeps its own value (0, or whatever the test runner was started with).
    assert.equal(os.getPriority(0), before);
  });

  it("runs the engine's inference thread at its nice value", async function () {
    if (process.platform !== "linux") {
      this.skip();
    }
    const before = os.getPriority(0);
    const engine = await loadGroundingEngine(TINY_MODEL_DIR, { nice: 3, warmup: false });
    try {
      assert.ok(threadNiceValues().includes(3), `thread nice values ${threadNiceValues().join(", ")}`);
      assert.equal(os.getPriority(0), before);
    } finally {
      await engine.close();
    }
  });

  it("rejects an engine nice value out of range", async () => {
    await assert.rejects(loadGroundingEngine(TINY_MODEL_DIR, { nice: -21, warmup: false }), /nice is -21 but must be an integer from -20 to 19/);
  });
});
