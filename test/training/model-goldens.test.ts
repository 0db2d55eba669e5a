/**
 * Parity of exported block-graph models with PyTorch. Every block's ONNX file must
 * reproduce the outputs that train.py recorded, within the tolerance in goldens.json:
 * abs 1e-4 + rel 1e-3 per value for blocks. End to end it is 2 px and 0.02 score,
 * because sharp and Pillow may decode the same JPEG with different IDCT rounding.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import * as ort from "onnxruntime-node";

import { firstMismatch, letterbox, readModel, readTensor, runBlocks, Sessions, tokenize, type Model } from "./block-graph";

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, "../../..");
const shippedModel = path.join(repoRoot, "models", "lgmdp-tabletop");
const python = "/usr/bin/python3";

async function checkBlocks(model: Model): Promise<void> {
  const sessions = new Sessions(model.dir);
  const { abs, rel } = model.goldens.tolerance.blocks;
  try {
    for (const golden of model.goldens.blocks) {
      const session = await sessions.get(golden.file);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, file] of Object.entries(golden.inputs)) feeds[name] = await readTensor(model, file);
      const outputs = await session.run(feeds);
      for (const [name, file] of Object.entries(golden.outputs)) {
        const expected = await readTensor(model, file);
        const actual = outputs[name];
        assert.ok(actual !== undefined, `${golden.file} has no output ${name}`);
        assert.deepEqual(actual.dims, expected.dims, `${golden.block}.${name} shape`);
        const mismatch = firstMismatch(actual.data as Float32Array, expected.data as Float32Array, abs, rel);
        assert.equal(mismatch, undefined, `${golden.block}.${name}: ${mismatch}`);
      }
    }
  } finally {
    await sessions.release();
  }
}

function checkTokenizer(model: Model): void {
  assert.ok(model.goldens.tokenizer.length > 0, "goldens.json has no tokenizer cases");
  for (const { text, ids } of model.goldens.tokenizer) {
    assert.deepEqual(tokenize(model.manifest, text), ids, `tokens of ${JSON.stringify(text)}`);
  }
}

async function checkEndToEnd(model: Model): Promise<void> {
  const sessions = new Sessions(model.dir);
  const { boxPixels, score } = model.goldens.tolerance.e2e;
  const gateable = new Map(model.manifest.blocks.filter((b) => b.gate !== null).map((b) => [b.name, b.gate as number]));
  assert.ok(model.goldens.e2e.length >= 3, "goldens.json has fewer than 3 end-to-end cases");
  try {
    for (const golden of model.goldens.e2e) {
      const label = `${golden.policy} "${golden.expression}" on ${golden.image}`;
      const tokens = BigInt64Array.from(tokenize(model.manifest, golden.expression).map(BigInt));
      const text = await (await sessions.get(model.manifest.text.file)).run({
        tokens: new ort.Tensor("int64", tokens, [1, tokens.length]),
      });
      const gates = text.gates?.data as Float32Array;

      // The recorded plan must agree with the exported gate and the policy.
      for (const name of golden.executedBlocks.filter((b) => gateable.has(b))) {
        const gate = gates[gateable.get(name) as number] as number;
        if (golden.policy === "lgmdp" || golden.policy === "softskip") {
          // Below the threshold only as the fallback: the most open fusion when none is open.
          const threshold = model.manifest.thresholds.gate;
          const fusionGates = [...gateable].filter(([block]) => block.startsWith("fuse.")).map(([, index]) => gates[index]);
          const fallback = name.startsWith("fuse.") && fusionGates.every((value) => value < threshold && value <= gate + 1e-6);
          assert.ok(gate >= threshold - 1e-4 || fallback, `${label}: ${name} ran with gate ${gate}`);
        } else if (golden.policy === "static") {
          assert.ok(model.manifest.static.blocks.includes(name), `${label}: ${name} is not a static block`);
        }
      }

      const input = await letterbox(model.manifest, path.join(model.goldenDir, golden.image));
      const result = await runBlocks(model, sessions, input, text.sentence as ort.Tensor, golden.executedBlocks);
      assert.ok(Math.abs(result.score - golden.score) <= score, `${label}: score ${result.score} vs ${golden.score}`);
      if (golden.box === null) {
        assert.equal(result.box, null, `${label}: expected no box`);
        continue;
      }
      assert.ok(result.box !== null, `${label}: no head ran`);
      for (const key of ["x", "y", "width", "height"] as const) {
        assert.ok(Math.abs(result.box[key] - golden.box[key]) <= boxPixels, `${label}: box.${key} ${result.box[key]} vs ${golden.box[key]}`);
      }
    }
  } finally {
    await sessions.release();
  }
}

describe("training: shipped model goldens", function () {
  let model: Model;

  before(async function () {
    if (!existsSync(path.join(shippedModel, "manifest.json"))) {
      this.skip(); // The model is produced by models/training/train.py; nothing to check yet.
    }
    model = await readModel(shippedModel);
  });

  it("tokenizer cases match the contract", function () {
    checkTokenizer(model);
  });

  it("every block matches PyTorch", async function () {
    await checkBlocks(model);
  });

  it("end-to-end cases match PyTorch", async function () {
    await checkEndToEnd(model);
  });
});

describe("training: quick train and export", function () {
  this.timeout(15 * 60 * 1000);
  let workDir: string;
  let dataDir: string;
  let model: Model;

  before(async function () {
    if (process.env.RUN_TRAINING_SMOKE === "0") {
      this.skip(); // RUN_TRAINING_SMOKE=0 turns the training smoke test off.
    }
    try {
      await run(python, ["-c", "import torch, onnx"]);
    } catch {
      console.warn(`skipping: ${python} cannot import torch and onnx (install python3-torch and python3-onnx)`);
      this.skip();
    }
    workDir = await mkdtemp(path.join(os.tmpdir(), "softskip-train-"));
    const data = path.join(workDir, "data");
    await run(process.execPath, [path.join(repoRoot, "dist", "src", "cli", "main.js"), "synth", "dataset",
      "--out", data, "--scenes", "40", "--width", "256", "--height", "192", "--seed", "11"]);
    const out = path.join(workDir, "model");
    await run(python, [path.join(repoRoot, "models", "training", "train.py"), "--data", data, "--out", out,
      "--quick", "--runs", path.join(workDir, "runs")], { maxBuffer: 16 * 1024 * 1024 });
    model = await readModel(out);
    dataDir = data;
  });

  after(async function () {
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it("exports every block with goldens", function () {
    const files = new Set(model.goldens.blocks.map((b) => b.file));
    for (const block of model.manifest.blocks) assert.ok(files.has(block.file), `no golden for ${block.file}`);
    assert.ok(files.has(model.manifest.text.file), "no golden for the text encoder");
  });

  it("exported blocks match PyTorch", async function () {
    await checkBlocks(model);
  });

  it("exported end-to-end cases match", async function () {
    checkTokenizer(model);
    await checkEndToEnd(model);
  });

  it("diagnose.py tabulates the checkpoint's errors", async function () {
    const runs = path.join(workDir, "runs");
    const checkpoint = (await readdir(runs)).find((name) => name.endsWith(".pt"));
    assert.ok(checkpoint !== undefined, `no checkpoint in ${runs}`);
    const { stdout } = await run(python, [path.join(repoRoot, "models", "training", "diagnose.py"), "--data", dataDir,
      "--checkpoint", path.join(runs, checkpoint), "--model", model.dir, "--limit", "40"]);
    assert.match(stdout, /\| at least one head right \| \d+ \| [\d.]+% \|/);
    const kinds = [...stdout.matchAll(/\| best-scored box: [a-z ]+ \| (\d+) \|/g)].map((match) => Number(match[1]));
    const present = Number(/on (\d+) present referents/.exec(stdout)?.[1]);
    assert.equal(kinds.length, 4);
    assert.equal(kinds.reduce((sum, n) => sum + n, 0), present);
    const sides = [...stdout.matchAll(/^\| (?:< 8|8 to 16|16 to 32|>= 32) \| (\d+) \|/gm)].map((match) => Number(match[1]));
    assert.equal(sides.reduce((sum, n) => sum + n, 0), present);
  });
});
