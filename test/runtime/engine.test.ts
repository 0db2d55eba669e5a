import assert from "node:assert/strict";
import path from "node:path";

import sharp from "sharp";

import { InputError, StateError } from "../../src/errors";
import type { OnnxGroundingEngine } from "../../src/runtime/engine";
import { loadGroundingEngine } from "../../src/runtime/engine";
import type { ImageInput } from "../../src/runtime/types";
import { rawImage, rgbPattern } from "../image/helpers";
import { TINY_MODEL_DIR } from "./helpers";

const SCENE: ImageInput = { kind: "file", path: path.join(TINY_MODEL_DIR, "goldens/scene.png") };

/** Builds a 40x32 rgb8 image whose rows carry 2 bytes of padding each. */
function paddedRawImage(): ImageInput {
  const step = 40 * 3 + 2;
  const data = new Uint8Array(step * 32).fill(90);
  return { kind: "raw", encoding: "rgb8", width: 40, height: 32, step, isBigEndian: false, data };
}

describe("grounding engine", () => {
  let engine: OnnxGroundingEngine;

  before(async () => {
    engine = await loadGroundingEngine(TINY_MODEL_DIR, { numThreads: 1 });
  });

  after(async () => {
    await engine.close();
  });

  it("grounds an image file with a full timing breakdown", async () => {
    const command = await engine.encode("the red cup");
    const output = await engine.ground(SCENE, command, { policy: "full" });
    engine.release(command);

    assert.equal(output.imageWidth, 96);
    assert.equal(output.imageHeight, 64);
    assert.equal(output.computeRatio, 1);
    assert.ok(output.box !== null);
    assert.ok(output.score > 0, `score ${output.score}`);
    assert.ok(output.score < 1, `score ${output.score}`);
    for (const stage of ["decode", "preprocess", "text", "postprocess", "dispatch", "total", ...output.executedBlocks]) {
      assert.ok(Number.isFinite(output.latencyMs[stage]), `latency of ${stage}`);
    }
  });

  it("reports the budget and predicted time", async () => {
    const command = await engine.encode("the blue bowl");
    const output = await engine.ground(SCENE, command, { policy: "budget", budgetMs: 1000 });
    engine.release(command);

    assert.equal(output.budgetMs, 1000);
    assert.notEqual(output.predictedMs, undefined);
    assert.ok((output.predictedMs ?? 0) > 0);
  });

  it("stops the budget policy at its deadline after one head", async () => {
    const command = await engine.encode("the blue bowl");
    const output = await engine.ground(SCENE, command, { policy: "budget", budgetMs: 0.001 });
    engine.release(command);

    assert.equal(output.stoppedAtDeadline, true);
    assert.equal(output.executedBlocks.filter((name) => name.startsWith("head.")).length, 1);
    assert.ok(output.box !== null, "the head that ran still answers");
    assert.ok(output.computeRatio < 1);
  });

  it("scales the deadline by slowdown", async () => {
    const command = await engine.encode("the blue bowl");
    // A slowdown near 0 means real time is far shorter than predicted, so the deadline passes at once.
    const late = await engine.ground(SCENE, command, { policy: "budget", budgetMs: 10000, slowdown: 1e-7 });
    // A budget that just fits the plan as predicted, with real time 1000 times the
    // predictions: the real time spent is then negligible against the deadline.
    const planned = await engine.ground(SCENE, command, { policy: "budget", budgetMs: 10000 });
    const fitted = await engine.ground(SCENE, command, { policy: "budget", budgetMs: (planned.predictedMs ?? 0) * 1.01, slowdown: 1000 });
    engine.release(command);

    assert.equal(late.stoppedAtDeadline, true);
    assert.equal(fitted.stoppedAtDeadline, undefined);
  });

  it("keeps encodings that requests still use", async () => {
    const first = await engine.encode("the red cup");
    const second = engine.encode("the red cup");
    engine.release(first);
    const sameWords = await second;
    assert.ok((await engine.ground(SCENE, sameWords, { policy: "full" })).box !== null);

    const grounding = engine.ground(SCENE, sameWords, { policy: "full" });
    engine.release(sameWords);
    assert.ok((await grounding).box !== null);
    await assert.rejects(engine.ground(SCENE, sameWords, { policy: "full" }), /after release\(\)/);
  });

  it("hands out block lists the caller may change", async () => {
    const command = await engine.encode("the red cup");
    const first = await engine.ground(SCENE, command, { policy: "full" });
    first.executedBlocks.reverse();
    const second = await engine.ground(SCENE, command, { policy: "full" });
    engine.release(command);

    assert.notDeepEqual(first.executedBlocks, second.executedBlocks);
    assert.equal(second.executedBlocks[0], "stem");
  });

  it("reports the predicted time of its fewest blocks under the budget policy only", async () => {
    const command = await engine.encode("the blue bowl");
    const cut = await engine.ground(SCENE, command, { policy: "budget", budgetMs: 0.001 });
    const full = await engine.ground(SCENE, command, { policy: "full" });
    engine.release(command);

    assert.equal(full.floorMs, undefined);
    const floorMs = cut.floorMs ?? Number.NaN;
    assert.ok(floorMs > 0, `floor ${floorMs}`);
    // No plan that gives a box is predicted cheaper, the single head that ran included.
    assert.ok(floorMs <= (cut.predictedMs ?? 0) + 1e-9, `floor ${floorMs} ms, what ran ${cut.predictedMs} ms`);
  });

  it("runs the whole plan when the budget leaves time", async () => {
    const command = await engine.encode("the blue bowl");
    const output = await engine.ground(SCENE, command, { policy: "budget", budgetMs: 10000 });
    const full = await engine.ground(SCENE, command, { policy: "full" });
    engine.release(command);

    assert.equal(output.stoppedAtDeadline, undefined);
    assert.equal(full.stoppedAtDeadline, undefined);
    assert.deepEqual(full.executedBlocks, engine.manifest.blocks.filter((block) => block.kind !== "approximator").map((block) => block.name));
  });

  it("grounds a raw image with row padding", async () => {
    const command = await engine.encode("the cup");
    const output = await engine.ground(paddedRawImage(), command, { policy: "softskip" });
    engine.release(command);

    assert.equal(output.imageWidth, 40);
    assert.equal(output.imageHeight, 32);
    assert.ok(output.box === null || (output.box.x >= 0 && output.box.x + output.box.width <= 40 + 1e-9));
  });

  it("grounds raw pixels exactly as the same picture from a PNG file", async () => {
    // 64x48 letterboxes into the tiny model's 64x64 input at scale 1, so both paths see the same pixels.
    const rgb = rgbPattern(64, 48);
    const raw = rawImage(rgb, 64, 48, "bgr8", 4);
    const png = await sharp(rgb, { raw: { width: 64, height: 48, channels: 3 } }).png().toBuffer();
    const command = await engine.encode("the red cup");
    const fromRaw = await engine.ground(raw, command, { policy: "full" });
    const fromPng = await engine.ground({ kind: "compressed", format: "png", data: png }, command, { policy: "full" });
    engine.release(command);

    assert.equal(fromRaw.score, fromPng.score);
    assert.deepEqual(fromRaw.box, fromPng.box);
  });

  it("reports not found below the minimum score", async () => {
    const command = await engine.encode("the cup");
    const output = await engine.ground(SCENE, command, { policy: "full", minScore: 1 });
    engine.release(command);

    assert.equal(output.status, "not_found");
    assert.ok(output.box !== null, "the best box is still reported");
  });

  it("lists unknown words", async () => {
    const command = await engine.encode("the purple cup");
    engine.release(command);
    assert.deepEqual(command.unknownWords, ["purple"]);
    assert.deepEqual(command.tokenIds.slice(0, 3), [2, 1, 6]);
  });

  it("shares one encoding per expression", async () => {
    const first = await engine.encode("the red cup");
    const second = await engine.encode("The red cup!");
    assert.equal(first.handle, second.handle);

    engine.release(first);
    const output = await engine.ground(SCENE, second, { policy: "lgmdp" });
    assert.ok(output.executedBlocks.length > 0);
    engine.release(second);
  });

  const badImages: Array<[string, ImageInput, RegExp]> = [
    ["a missing file", { kind: "file", path: "/nonexistent/scene.png" }, /\/nonexistent\/scene\.png/],
    ["truncated JPEG data", { kind: "compressed", format: "jpeg", data: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]) }, /jpeg|JPEG|decode|corrupt/],
    [
      "raw data shorter than step times height",
      { kind: "raw", encoding: "rgb8", width: 640, height: 480, step: 1920, isBigEndian: false, data: new Uint8Array(30) },
      /30/,
    ],
    ["an unsupported encoding", { kind: "raw", encoding: "bayer_rggb8", width: 2, height: 2, step: 2, isBigEndian: false, data: new Uint8Array(4) }, /bayer_rggb8/],
    [
      "a 1x1 frame",
      { kind: "raw", encoding: "rgb8", width: 1, height: 1, step: 3, isBigEndian: false, data: new Uint8Array(3) },
      /Image 1x1 on image is too small to ground in: .*at least 32 pixels per side/,
    ],
  ];

  for (const [name, image, fragment] of badImages) {
    it(`rejects ${name}`, async () => {
      const command = await engine.encode("the red cup");
      await assert.rejects(engine.ground(image, command, { policy: "full" }), (error: unknown) => {
        assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
        assert.match(error.message, fragment);
        return true;
      });
      const output = await engine.ground(SCENE, command, { policy: "full" });
      assert.equal(output.imageWidth, 96, "the engine keeps working after a bad image");
      engine.release(command);
    });
  }

  it("rejects a PNG below the minimum size", async () => {
    const png = await sharp(rgbPattern(40, 8), { raw: { width: 40, height: 8, channels: 3 } }).png().toBuffer();
    const command = await engine.encode("the red cup");
    await assert.rejects(engine.ground({ kind: "compressed", format: "png", data: png }, command, { policy: "full" }), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.reason, "too_small");
      assert.equal(error.field, "height");
      assert.match(error.message, /Image 40x8 on image is too small to ground in/);
      return true;
    });
    engine.release(command);
  });

  it("names the image source in input errors", async () => {
    const command = await engine.encode("the red cup");
    const image: ImageInput = { kind: "raw", encoding: "bayer_rggb8", width: 2, height: 2, step: 2, isBigEndian: false, data: new Uint8Array(4) };
    await assert.rejects(engine.ground(image, command, { policy: "full", source: "/camera/image_raw" }), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.source, "/camera/image_raw");
      assert.match(error.message, /\/camera\/image_raw/);
      return true;
    });
    engine.release(command);
  });

  const badTexts: Array<[string, unknown, string]> = [
    ["empty text", "", "empty"],
    ["blank text", "  \t ", "empty"],
    ["punctuation only", "?!", "no_words"],
    ["text over 500 characters", "the red cup ".repeat(60), "too_long"],
    ["a number instead of text", 7, "not_text"],
  ];

  for (const [name, text, reason] of badTexts) {
    it(`rejects ${name}`, async () => {
      // The cast feeds values a JSON or ROS message could carry despite the declared type.
      await assert.rejects(engine.encode(text as string), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.reason, reason);
        assert.match(error.message, /^Expression /);
        return true;
      });
    });
  }

  it("rejects a released command", async () => {
    const command = await engine.encode("the green mug");
    engine.release(command);
    engine.release(command);
    await assert.rejects(engine.ground(SCENE, command, { policy: "full" }), (error: unknown) => {
      assert.ok(error instanceof StateError);
      assert.match(error.message, /"the green mug" after release\(\); call encode\(\) again/);
      return true;
    });
  });

  it("answers concurrent calls each with its own result", async () => {
    // The worker takes requests one at a time, so these queue behind each other.
    const [bowl, mug] = await Promise.all([engine.encode("the bowl"), engine.encode("the red mug")]);
    const outputs = await Promise.all([
      engine.ground(SCENE, bowl, { policy: "full" }),
      engine.ground(SCENE, mug, { policy: "lgmdp" }),
      engine.ground(SCENE, bowl, { policy: "static" }),
    ]);
    assert.equal(bowl.expression, "the bowl");
    assert.equal(mug.expression, "the red mug");
    assert.deepEqual(
      outputs.map((output) => output.policy),
      ["full", "lgmdp", "static"],
    );
    // The same box and score as a call made alone.
    const alone = await engine.ground(SCENE, bowl, { policy: "full" });
    assert.deepEqual(outputs[0]?.box, alone.box);
    assert.equal(outputs[0]?.score, alone.score);
  });

  it("rejects calls after close", async () => {
    const other = await loadGroundingEngine(TINY_MODEL_DIR, { warmup: false });
    const command = await other.encode("the bowl");
    await other.close();
    await other.close();

    await assert.rejects(other.encode("the bowl"), (error: unknown) => error instanceof StateError && /encode\(\) was called after close\(\)/.test(error.message));
    await assert.rejects(other.ground(SCENE, command, { policy: "full" }), (error: unknown) => error instanceof StateError && /ground\(\) was called after close\(\)/.test(error.message));
  });

  it("matches results with and without busy waiting", async () => {
    // 0 sleeps. A 0.001 ms spin usually ends before the reply, which then arrives as a message.
    const engines = await Promise.all([0, 0.001, 10].map((replySpinMs) => loadGroundingEngine(TINY_MODEL_DIR, { replySpinMs })));
    try {
      const outputs = await Promise.all(
        engines.map(async (other) => {
          const command = await other.encode("the red mug");
          // Back to back and concurrent, so replies also arrive while another is awaited.
          // Raw frames also wake the worker ahead of their request, also while it is busy.
          const raw = rawImage(rgbPattern(97, 61), 97, 61, "rgb8");
          const single = await other.ground(SCENE, command, { policy: "full" });
          const alone = await other.ground(raw, command, { policy: "full" });
          const queued = await Promise.all([
            ...(["lgmdp", "softskip", "static"] as const).map((policy) => other.ground(SCENE, command, { policy })),
            ...(["full", "softskip"] as const).map((policy) => other.ground(raw, command, { policy })),
          ]);
          // A frame rejected after its wake-up message leaves the worker ready for the next one.
          const truncated = { ...raw, data: raw.data.subarray(0, 10) };
          await assert.rejects(other.ground(truncated, command, { policy: "full" }), InputError);
          const afterIdleWake = await other.ground(raw, command, { policy: "lgmdp" });
          return [single, alone, ...queued, afterIdleWake].map((output) => ({ box: output.box, score: output.score, blocks: output.executedBlocks }));
        }),
      );
      assert.deepEqual(outputs[1], outputs[0]);
      assert.deepEqual(outputs[2], outputs[0]);
    } finally {
      await Promise.all(engines.map((other) => other.close()));
    }
  });

  it("rejects a busy wait outside 0 to 10 ms", async () => {
    for (const replySpinMs of [-1, 10.5, Number.NaN]) {
      const error = await loadGroundingEngine(TINY_MODEL_DIR, { replySpinMs, warmup: false }).then(
        async (engine) => {
          await engine.close();
          return undefined;
        },
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof RangeError, `replySpinMs ${replySpinMs}: ${String(error)}`);
      assert.ok(error.message.includes(`replySpinMs is ${replySpinMs}`), error.message);
      assert.match(error.message, /0 turns busy waiting off/);
    }
  });

  it("rejects a thread count of zero", async () => {
    await assert.rejects(loadGroundingEngine(TINY_MODEL_DIR, { numThreads: 0 }), (error: unknown) => error instanceof RangeError && /numThreads is 0/.test(error.message));
  });
});
