import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";

import { from, lastValueFrom, of, toArray } from "rxjs";

import { openBag } from "../../src/bag";
import { imageInputFromCompressed, imageInputFromImage, stampFromMessage } from "../../src/msgs";
import type { CompressedImage, Image } from "../../src/msgs/types";
import { loadGroundingEngine, type OnnxGroundingEngine } from "../../src/runtime/engine";
import { createGroundingStream, monotonicNow } from "../../src/stream";
import type { FrameInput, GroundingEvent, RejectionEvent } from "../../src/stream/types";
import { TINY_MODEL_DIR } from "../runtime/helpers";
import { parametersWith } from "./fake-engine";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const REAL_BAGS = path.resolve(REPO_ROOT, "../shared/data/real-bags");
const SOCCER_BAG = path.join(REAL_BAGS, "amber_soccer_goal_split");
const ROSBAGS_RS_BAG = path.join(REAL_BAGS, "rosbags-rs_test_bag_mcap");

/** Reads every image message of `topic` as a FrameInput; arrival times are set later. */
async function readFrames(bagPath: string, topic: string): Promise<FrameInput[]> {
  const bag = await openBag(bagPath);
  const frames: FrameInput[] = [];
  try {
    for await (const message of bag.messages()) {
      if (message.topic !== topic) {
        continue;
      }
      const decoded = message.decode() as Image | CompressedImage;
      const image =
        message.type === "sensor_msgs/msg/CompressedImage"
          ? imageInputFromCompressed(decoded as CompressedImage)
          : imageInputFromImage(decoded as Image);
      const header = { stamp: stampFromMessage(decoded.header.stamp), frame_id: decoded.header.frame_id };
      frames.push({ header, receivedAtMs: 0, topic, image });
    }
  } finally {
    await bag.close();
  }
  return frames;
}

describe("grounding stream on real bags", () => {
  let engine: OnnxGroundingEngine;

  before(async function () {
    if (!existsSync(SOCCER_BAG) || !existsSync(ROSBAGS_RS_BAG)) {
      this.skip();
    }
    engine = await loadGroundingEngine(TINY_MODEL_DIR, { numThreads: 1 });
  });

  after(async () => {
    await engine?.close();
  });

  it("grounds real frames around broken ones", async () => {
    const soccer = await readFrames(SOCCER_BAG, "/camera/image_raw");
    const brokenRaw = await readFrames(ROSBAGS_RS_BAG, "/test/sensor_msgs/image");
    const brokenJpeg = await readFrames(ROSBAGS_RS_BAG, "/test/sensor_msgs/compressed_image");
    assert.equal(soccer.length, 2);
    assert.ok(brokenRaw.length >= 1);
    assert.ok(brokenJpeg.length >= 1);

    // Interleaved so that each broken frame sits between two good ones.
    const sequence = [soccer[0], brokenRaw[0], brokenJpeg[0], soccer[1]].map((frame) => ({ ...frame, receivedAtMs: monotonicNow() }));
    const events = await lastValueFrom(
      createGroundingStream({
        engine,
        frames: from(sequence),
        transcripts: of({ text: "find the big green bowl", receivedAtMs: sequence[0].receivedAtMs, topic: "transcript" }),
        parameters: of(parametersWith({ policy: "softskip" })),
        dropWhileBusy: false,
      }).pipe(toArray()),
    );

    const results = events.filter((event): event is GroundingEvent => event.kind === "result");
    const rejections = events.filter((event): event is RejectionEvent => event.kind === "rejected");
    assert.deepStrictEqual(
      results.map((event) => event.header),
      [soccer[0].header, soccer[1].header],
    );
    assert.deepStrictEqual(
      rejections.map((event) => event.topic),
      ["/test/sensor_msgs/image", "/test/sensor_msgs/compressed_image"],
    );
    assert.deepStrictEqual(
      rejections.map((event) => event.header),
      [brokenRaw[0].header, brokenJpeg[0].header],
    );
    for (const result of results) {
      assert.equal(result.output.imageWidth, 640);
      assert.equal(result.output.imageHeight, 480);
      assert.equal(result.output.policy, "softskip");
    }
  });
});
