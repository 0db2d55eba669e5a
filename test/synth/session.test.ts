import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileHandleReadable } from "@mcap/nodejs";

import { mcapDecompressHandlers } from "../../src/bag/compression";
import { McapIndexedReader } from "../../src/bag/mcap-core";
import { ArgumentError } from "../../src/errors";
import { silentLogger } from "../../src/log";
import { deserializeMessage, GROUNDING_STATUS, type CompressedImage, type GroundingResult, type Image, type StringMessage } from "../../src/msgs";
import { SESSION_TOPICS, writeSessionBag, type SessionOptions } from "../../src/synth/session";

describe("synth session bag", function () {
  this.timeout(120_000);
  const root = mkdtempSync(path.join(tmpdir(), "softskip-session-"));
  const out = path.join(root, "session.mcap");
  const options: SessionOptions = {
    out,
    seconds: 20,
    rate: 1,
    seed: 5,
    width: 160,
    height: 120,
    raw: true,
    encoding: "bgr8",
    compressed: true,
    quality: 80,
    logger: silentLogger,
  };

  after(() => rmSync(root, { recursive: true, force: true }));

  it("opens with McapIndexedReader and decodes", async () => {
    const summary = await writeSessionBag(options);
    const handle = await open(out, "r");
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers: mcapDecompressHandlers() });
      assert.equal(reader.header.profile, "ros2");
      const topics = new Map([...reader.channelsById.values()].map((channel) => [channel.topic, channel]));
      assert.deepEqual([...topics.keys()].sort(), Object.values(SESSION_TOPICS).sort());
      for (const channel of topics.values()) {
        assert.equal(channel.messageEncoding, "cdr");
        assert.equal(reader.schemasById.get(channel.schemaId)?.encoding, "ros2msg");
      }

      const transcripts: string[] = [];
      let frames = 0;
      let truths = 0;
      let lastLogTime = 0n;
      for await (const message of reader.readMessages()) {
        assert.ok(message.logTime >= lastLogTime, "messages are not in time order");
        lastLogTime = message.logTime;
        const topic = reader.channelsById.get(message.channelId)?.topic;
        if (topic === SESSION_TOPICS.image) {
          const image = deserializeMessage<Image>("sensor_msgs/msg/Image", message.data);
          assert.deepEqual([image.width, image.height, image.encoding, image.step, image.data.length], [160, 120, "bgr8", 480, 160 * 120 * 3]);
          const stampNs = BigInt(image.header.stamp.sec) * 1_000_000_000n + BigInt(image.header.stamp.nanosec);
          assert.equal(stampNs, message.logTime);
          frames++;
        } else if (topic === SESSION_TOPICS.compressed) {
          const image = deserializeMessage<CompressedImage>("sensor_msgs/msg/CompressedImage", message.data);
          assert.equal(image.format, "jpeg");
          assert.deepEqual([...image.data.subarray(0, 2)], [0xff, 0xd8]);
        } else if (topic === SESSION_TOPICS.transcript) {
          transcripts.push(deserializeMessage<StringMessage>("std_msgs/msg/String", message.data).data);
        } else {
          const truth = deserializeMessage<GroundingResult>("softskip_msgs/msg/GroundingResult", message.data);
          if (truth.status === GROUNDING_STATUS.GROUNDED) {
            const { center, size_x, size_y } = truth.bbox;
            assert.ok(size_x > 0, "empty box width");
            assert.ok(size_y > 0, "empty box height");
            assert.ok(center.position.x - size_x / 2 >= 0, "box starts left of the image");
            assert.ok(center.position.x + size_x / 2 <= 160, "box ends right of the image");
            assert.ok(center.position.y - size_y / 2 >= 0, "box starts above the image");
            assert.ok(center.position.y + size_y / 2 <= 120, "box ends below the image");
          } else {
            assert.equal(truth.status, GROUNDING_STATUS.NOT_FOUND);
          }
          truths++;
        }
      }
      assert.equal(frames, 20);
      assert.equal(frames, summary.frames);
      assert.ok(truths > 0, "no ground-truth message");
      assert.ok(truths < frames, `${truths} ground-truth messages for ${frames} frames, although a stop ends one command`);
      assert.ok(transcripts.includes("stop"), `no stop in ${JSON.stringify(transcripts)}`);
      assert.ok(transcripts.some((text) => text.startsWith("no the ")), `no correction in ${JSON.stringify(transcripts)}`);
      assert.ok(summary.script.some((entry) => entry.target === -1), "no command with an absent referent");
    } finally {
      await handle.close();
    }
  });

  it("same seed writes the same bytes", async () => {
    const small = { ...options, seconds: 3, rate: 2, width: 64, height: 48 };
    const first = path.join(root, "first.mcap");
    const second = path.join(root, "second.mcap");
    await writeSessionBag({ ...small, out: first });
    await writeSessionBag({ ...small, out: second });
    assert.ok(readFileSync(first).equals(readFileSync(second)), "two bags with seed 5 differ");
  });

  it("rejects a bag without camera topics", async () => {
    await assert.rejects(writeSessionBag({ ...options, raw: false, compressed: false }), (error: unknown) => error instanceof ArgumentError && /--no-raw needs --compressed/.test(error.message));
  });

  it("rejects a bad rate by name", async () => {
    await assert.rejects(writeSessionBag({ ...options, rate: 0 }), (error: unknown) => error instanceof ArgumentError && /--rate must be a number from 0.5 to 60 but is 0/.test(error.message));
  });

  it("lists only the transcripts it wrote", async () => {
    const short = path.join(root, "short.mcap");
    // The script's first command comes after 1 s, so a 1 s session contains none of it.
    const summary = await writeSessionBag({ ...options, out: short, seconds: 1, rate: 2, width: 64, height: 48 });
    assert.equal(summary.commands, 0);
    assert.deepEqual(summary.script, []);
    const longer = await writeSessionBag({ ...options, out: path.join(root, "longer.mcap"), seconds: 3, rate: 2, width: 64, height: 48 });
    assert.ok(longer.script.every((entry) => entry.timeS <= (longer.frames - 1) / 2), JSON.stringify(longer.script));
  });
});
