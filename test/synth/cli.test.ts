import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";

import { REPO_ROOT } from "../bag/helpers";

const CLI = path.join(REPO_ROOT, "dist", "src", "cli", "main.js");

function synth(args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, "synth", ...args], { encoding: "utf8", cwd: REPO_ROOT, timeout: 60_000 });
  return { status: result.status, stderr: result.stderr };
}

describe("synth: command line", () => {
  it("bag never replaces an existing file", () => {
    const { status, stderr } = synth(["bag", "--out", "package.json", "--seconds", "1"]);
    assert.equal(status, 2);
    assert.match(stderr, /--out package\.json already exists; delete it first or pass a new file/);
  });

  it("bag rejects a folder as --out", () => {
    const { status, stderr } = synth(["bag", "--out", "docs", "--seconds", "1"]);
    assert.equal(status, 2);
    assert.match(stderr, /--out docs is a folder; pass a file path inside it, such as docs\/session\.mcap/);
  });

  it("dataset suggests the option a typo meant", () => {
    const { status, stderr } = synth(["dataset", "--out", "unused", "--scene", "3"]);
    assert.equal(status, 2);
    assert.equal(stderr.trim(), "softskip: Unknown option --scene; did you mean --scenes? Run softskip synth dataset --help for the options.");
  });

  it("bag suggests the option that a shortened name starts", () => {
    const { status, stderr } = synth(["bag", "--out", "unused.mcap", "--secs", "2"]);
    assert.equal(status, 2);
    assert.match(stderr, /Unknown option --secs; did you mean --seconds\?/);
  });

  it("dataset explains a negative value", () => {
    const { status, stderr } = synth(["dataset", "--out", "unused", "--seed", "-1"]);
    assert.equal(status, 2);
    assert.match(stderr, /--seed has no value: the next argument starts with "-". Give the value after it, or write --seed=VALUE/);
  });
});
