import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { integerOption, numberOption, run } from "../../src/cli/synth";
import { ArgumentError } from "../../src/errors";

function rejectsWith(message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => error instanceof ArgumentError && message.test(error.message);
}

describe("synth command line", function () {
  this.timeout(120_000);
  const root = mkdtempSync(path.join(tmpdir(), "softskip-synth-cli-"));

  after(() => rmSync(root, { recursive: true, force: true }));

  it("integer options reject non-numbers by name", () => {
    assert.equal(integerOption("scenes", "12", 1), 12);
    assert.equal(integerOption("scenes", undefined, 7), 7);
    assert.throws(() => integerOption("scenes", "12.5", 1), rejectsWith(/--scenes must be a whole number but is "12.5"/));
    assert.throws(() => integerOption("seed", "-3", 1), rejectsWith(/--seed must be a whole number but is "-3"/));
  });

  it("number options reject zero and text", () => {
    assert.equal(numberOption("rate", "2.5", 5), 2.5);
    assert.throws(() => numberOption("rate", "0", 5), rejectsWith(/--rate must be a positive number but is "0"/));
    assert.throws(() => numberOption("seconds", "ten", 25), rejectsWith(/--seconds must be a positive number but is "ten"/));
  });

  it("rejects unknown modes and options", async () => {
    await assert.rejects(run(["pictures"]), rejectsWith(/Unknown synth mode "pictures"; use "dataset" or "bag"/));
    await assert.rejects(run(["dataset", "--out", root, "--colour", "red"]), rejectsWith(/--colour/));
    await assert.rejects(run(["dataset"]), rejectsWith(/pass --out DIR/));
    await assert.rejects(run(["bag"]), rejectsWith(/pass --out FILE\.mcap/));
    await assert.rejects(run(["bag", "--out", path.join(root, "x.mcap"), "--encoding", "mono8"]), rejectsWith(/--encoding must be rgb8 or bgr8 but is "mono8"/));
  });

  it("writes a small dataset", async () => {
    const out = path.join(root, "data");
    const write = process.stdout.write;
    let printed = "";
    process.stdout.write = ((chunk: string) => {
      printed += chunk;
      return true;
    }) as typeof process.stdout.write;
    try {
      assert.equal(await run(["dataset", "--out", out, "--scenes", "3", "--width", "96", "--height", "64", "--threads", "0", "--json"]), 0);
    } finally {
      process.stdout.write = write;
    }
    const summary = JSON.parse(printed);
    assert.equal(summary.images, 3);
    assert.equal(JSON.parse(readFileSync(path.join(out, "instances.json"), "utf8")).images.length, 3);
  });
});
