import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";

import type { OnnxGroundingEngine } from "../../src/runtime/engine";
import { loadGroundingEngine } from "../../src/runtime/engine";
import { readManifest } from "../../src/runtime/manifest-reader";
import { Tokenizer } from "../../src/runtime/tokenizer";
import type { Goldens } from "./goldens";
import { readGoldens, readTensor, worstMismatch } from "./goldens";
import { SHIPPED_MODEL_DIR, skipBecause, TINY_MODEL_DIR } from "./helpers";

/**
 * Matches the runtime against goldens that PyTorch wrote at export: each block on the
 * same inputs, the tokenizer, and whole inferences from an image file. End-to-end cases
 * allow a few pixels and a small score difference because sharp and PIL resize differently.
 */
function describeParity(label: string, modelDir: string): void {
  describe(`parity with ${label} goldens`, function () {
    let engine: OnnxGroundingEngine;
    let goldens: Goldens;

    before(async function () {
      if (!existsSync(path.join(modelDir, "manifest.json"))) {
        skipBecause(this, `no model at ${modelDir}`);
      }
      engine = await loadGroundingEngine(modelDir);
      if (engine.manifest.goldensPath === null) {
        skipBecause(this, `the model in ${modelDir} has no goldens file`);
      }
      goldens = await readGoldens(engine.manifest.goldensPath);
    });

    after(async () => {
      await engine?.close();
    });

    it("tokenizes like training", () => {
      const tokenizer = new Tokenizer(engine.manifest.tokenizer);
      assert.ok(goldens.tokenizer.length > 0, "goldens have no tokenizer cases");
      for (const testCase of goldens.tokenizer) {
        assert.deepEqual(tokenizer.tokenize(testCase.text).ids, testCase.ids, `tokens of ${JSON.stringify(testCase.text)}`);
      }
    });

    it("runs every block like PyTorch", async () => {
      const { abs, rel } = goldens.tolerance.blocks;
      const covered = new Set<string>();
      for (const golden of goldens.blocks) {
        const feeds = Object.fromEntries(
          await Promise.all(Object.entries(golden.inputs).map(async ([name, file]) => [name, await readTensor(goldens, file)] as const)),
        );
        const outputs = await engine.runBlock(golden.block, feeds);
        for (const [name, file] of Object.entries(golden.outputs)) {
          const expected = await readTensor(goldens, file);
          assert.deepEqual(outputs[name].dims, expected.dims, `${golden.block} output ${name} shape`);
          const mismatch = worstMismatch(outputs[name].data as Float32Array, expected.data as Float32Array, abs, rel);
          assert.equal(mismatch, undefined, `${golden.block} output ${name}: ${mismatch} (tolerance abs ${abs} + rel ${rel})`);
        }
        covered.add(golden.block);
      }
      const missing = engine.manifest.blocks.map((block) => block.name).filter((name) => !covered.has(name));
      assert.deepEqual(missing, [], "blocks without goldens");
    });

    it("grounds the end-to-end cases like PyTorch", async function () {
      if (goldens.e2e.length === 0) {
        skipBecause(this, "the goldens have no end-to-end cases");
      }
      const { boxPixels, score } = goldens.tolerance.e2e;
      for (const testCase of goldens.e2e) {
        const label = `${testCase.policy} on ${testCase.image} for ${JSON.stringify(testCase.expression)}`;
        const command = await engine.encode(testCase.expression);
        const output = await engine.ground({ kind: "file", path: path.join(goldens.dir, testCase.image) }, command, { policy: testCase.policy });
        engine.release(command);

        const headsExpected = testCase.executedBlocks?.some((name) => name.startsWith("head.")) ?? true;
        if (testCase.executedBlocks !== undefined && headsExpected) {
          assert.deepEqual([...output.executedBlocks].sort(), [...testCase.executedBlocks].sort(), `${label}: executed blocks`);
        } else if (testCase.executedBlocks !== undefined) {
          // With every branch gated off, PyTorch still ran the stem. The runtime runs only
          // blocks whose outputs a running head needs, so it may run none at all.
          assert.deepEqual(output.executedBlocks.filter((name) => name.startsWith("head.")), [], `${label}: no head runs`);
        }
        if (testCase.box === null) {
          assert.equal(output.box, null, `${label}: box`);
          continue;
        }
        assert.ok(Math.abs(output.score - testCase.score) <= score, `${label}: score ${output.score} instead of ${testCase.score}`);
        assert.ok(output.box !== null, `${label}: no box`);
        for (const key of ["x", "y", "width", "height"] as const) {
          const expected = clampedBox(testCase.box, output.imageWidth, output.imageHeight)[key];
          assert.ok(Math.abs(output.box[key] - expected) <= boxPixels, `${label}: box ${key} ${output.box[key]} instead of ${expected}`);
        }
      }
    });
  });
}

/** Training reports unclamped boxes; the runtime clamps to the image. */
function clampedBox(box: { x: number; y: number; width: number; height: number }, width: number, height: number) {
  const clamp = (value: number, high: number): number => Math.min(high, Math.max(0, value));
  const left = clamp(box.x, width);
  const top = clamp(box.y, height);
  return { x: left, y: top, width: clamp(box.x + box.width, width) - left, height: clamp(box.y + box.height, height) - top };
}

describe("shipped model files", () => {
  it("include the goldens", async () => {
    // Loading tolerates a model without goldens, so only this check notices them missing.
    const manifest = await readManifest(SHIPPED_MODEL_DIR);
    assert.notEqual(manifest.goldensPath, null, `${SHIPPED_MODEL_DIR} has no goldens file`);
  });

  it("name their object nouns", async () => {
    // Without them "no, the blue one" reaches the model with no object named.
    const manifest = await readManifest(SHIPPED_MODEL_DIR);
    for (const noun of ["mug", "coffee mug", "plate"]) {
      assert.ok(manifest.tokenizer.objectNouns.includes(noun), `${SHIPPED_MODEL_DIR} lacks the object noun ${JSON.stringify(noun)}`);
    }
  });
});

describeParity("tiny model", TINY_MODEL_DIR);
describeParity("shipped model", SHIPPED_MODEL_DIR);
// Checks a freshly exported model without installing it: SOFTSKIP_TEST_MODEL=DIR npx mocha ...
if (process.env.SOFTSKIP_TEST_MODEL !== undefined && process.env.SOFTSKIP_TEST_MODEL !== "") {
  describeParity(`model in ${process.env.SOFTSKIP_TEST_MODEL}`, path.resolve(process.env.SOFTSKIP_TEST_MODEL));
}
