import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";

import { openBag } from "../../src/bag";
import { InputError } from "../../src/errors";
import type { OnnxGroundingEngine } from "../../src/runtime/engine";
import { loadGroundingEngine } from "../../src/runtime/engine";
import type { CompressedImageInput, ImageInput, RawImageInput } from "../../src/runtime/types";
import { POLICY_NAMES } from "../../src/params/declarations";
import { skipBecause, TINY_MODEL_DIR } from "./helpers";

import { REAL_BAGS } from "../real-bags-dir";

interface ImageMessage {
  width: number;
  height: number;
  encoding: string;
  is_bigendian: number;
  step: number;
  data: Uint8Array;
}

interface CompressedImageMessage {
  format: string;
  data: Uint8Array;
}

/** Returns the first message of `topic` in a bag, decoded. */
async function firstMessage(bagPath: string, topic: string): Promise<unknown> {
  const bag = await openBag(bagPath);
  try {
    for await (const message of bag.messages()) {
      if (message.topic === topic) {
        return message.decode();
      }
    }
  } finally {
    await bag.close();
  }
  throw new Error(`no message on ${topic} in ${bagPath}`);
}

function rawInput(message: ImageMessage): RawImageInput {
  return {
    kind: "raw",
    encoding: message.encoding,
    width: message.width,
    height: message.height,
    step: message.step,
    isBigEndian: message.is_bigendian !== 0,
    data: message.data,
  };
}

function compressedInput(message: CompressedImageMessage): CompressedImageInput {
  return { kind: "compressed", format: message.format, data: message.data };
}

describe("runtime on real bag images", () => {
  let engine: OnnxGroundingEngine;

  before(async function () {
    if (!existsSync(REAL_BAGS)) {
      skipBecause(this, `real bags not found at ${REAL_BAGS}`);
    }
    engine = await loadGroundingEngine(TINY_MODEL_DIR);
  });

  after(async () => {
    await engine?.close();
  });

  it("grounds a real 640x480 camera frame with every policy", async function () {
    const bagPath = path.join(REAL_BAGS, "amber_soccer_goal_split");
    if (!existsSync(bagPath)) {
      skipBecause(this, `${bagPath} not found`);
    }
    const image = rawInput((await firstMessage(bagPath, "/camera/image_raw")) as ImageMessage);
    assert.equal(image.encoding, "rgb8");

    const command = await engine.encode("the white goal");
    try {
      for (const policy of POLICY_NAMES) {
        const output = await engine.ground(image, command, { policy, budgetMs: 50 });
        assert.equal(output.imageWidth, 640, policy);
        assert.equal(output.imageHeight, 480, policy);
        if (output.box !== null) {
          assert.ok(output.box.x >= 0, `${policy} box left ${output.box.x}`);
          assert.ok(output.box.y >= 0, `${policy} box top ${output.box.y}`);
          assert.ok(output.box.x + output.box.width <= 640 + 1e-6, `${policy} box right ${output.box.x + output.box.width}`);
          assert.ok(output.box.y + output.box.height <= 480 + 1e-6, `${policy} box bottom ${output.box.y + output.box.height}`);
        }
      }
    } finally {
      engine.release(command);
    }
  });

  it("rejects the truncated images of a real bag", async function () {
    const bagPath = path.join(REAL_BAGS, "rosbags-rs_test_bag_mcap");
    if (!existsSync(bagPath)) {
      skipBecause(this, `${bagPath} not found`);
    }
    // The raw image claims 640x480 rgb8 but carries 30 bytes; the JPEG stops after 10 bytes.
    const inputs: Array<[string, ImageInput]> = [
      ["raw", rawInput((await firstMessage(bagPath, "/test/sensor_msgs/image")) as ImageMessage)],
      ["compressed", compressedInput((await firstMessage(bagPath, "/test/sensor_msgs/compressed_image")) as CompressedImageMessage)],
    ];

    const command = await engine.encode("the red cup");
    try {
      for (const [label, image] of inputs) {
        await assert.rejects(engine.ground(image, command, { policy: "full" }), (error: unknown) => {
          assert.ok(error instanceof InputError, `${label}: expected InputError, got ${String(error)}`);
          return true;
        });
      }
      const output = await engine.ground({ kind: "file", path: path.join(TINY_MODEL_DIR, "goldens/scene.png") }, command, { policy: "full" });
      assert.equal(output.imageWidth, 96, "the engine keeps working after rejected images");
    } finally {
      engine.release(command);
    }
  });
});
