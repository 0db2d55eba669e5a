import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { openBag, type BagReader } from "../../src/bag";
import { stampFromMessage } from "../../src/msgs";
import { REAL_BAGS, readAll, RecordingLogger } from "./helpers";

/** Opens a bag from the shared real-bag folder, skipping the test when the folder is absent. */
async function openReal(context: Mocha.Context, name: string, logger = new RecordingLogger()): Promise<BagReader> {
  if (!existsSync(REAL_BAGS)) {
    context.skip();
  }
  return openBag(join(REAL_BAGS, name), { logger });
}

function isSorted(times: bigint[]): boolean {
  return times.every((time, index) => index === 0 || times[index - 1] <= time);
}

describe("bag: real bags and reproducers", function () {
  before(function () {
    if (!existsSync(REAL_BAGS)) {
      console.warn(`Skipping real-bag tests: ${REAL_BAGS} is absent; set SOFTSKIP_REAL_BAGS to the folder of real bags.`);
      this.skip();
    }
  });

  it("amber split bag: per-message zstd, missing parts, short type names", async function () {
    const logger = new RecordingLogger();
    const bag = await openReal(this, "amber_soccer_goal_split", logger);
    assert.equal(bag.missingFiles.length, 12);
    assert.ok(logger.warnings().some((line) => line.includes("12 of the 13 bag files")));
    assert.deepEqual(bag.topics.map((topic) => [topic.name, topic.type, topic.qos.length]), [["/camera/image_raw", "sensor_msgs/msg/Image", 0]]);

    const messages = await readAll(bag);
    assert.equal(messages.length, 2);
    assert.equal(messages[0].logTimeNs, 8_297_777_777n);
    const image = messages[0].decode() as { width: number; height: number; encoding: string; data: Uint8Array };
    assert.deepEqual([image.width, image.height, image.encoding, image.data.length], [640, 480, "rgb8", 640 * 480 * 3]);
    await bag.close();
  });

  it("rosbags-rs bag: 94 topics decode with embedded schemas", async function () {
    const bag = await openReal(this, "rosbags-rs_test_bag_mcap");
    assert.equal(bag.topics.length, 94);
    assert.equal(bag.messageCount, 188);
    assert.ok(bag.topics.every((topic) => topic.definitionSource === "bag"));
    const empty = bag.topics.find((topic) => topic.type === "std_msgs/msg/Empty");
    assert.equal(empty?.definitionSource, "bag", "a 0-byte ros2msg schema is a valid definition");

    const messages = await readAll(bag);
    assert.equal(messages.length, 188);
    for (const message of messages) {
      assert.doesNotThrow(() => message.decode(), `${message.topic} decodes`);
    }
    const image = messages.find((message) => message.topic === "/test/sensor_msgs/image")?.decode() as { step: number; data: Uint8Array };
    assert.deepEqual([image.step, image.data.length], [1920, 30]);
    await bag.close();
  });

  it("ros2bag_tools db3: built-in definitions, unnormalised stamps", async function () {
    const bag = await openReal(this, "ait_ros2bag_tools_images.bag");
    assert.equal(bag.storage, "sqlite3");
    assert.equal(bag.topics[0].definitionSource, "builtin");
    const messages = await readAll(bag);
    assert.deepEqual(messages.map((message) => message.logTimeNs), [0n, 1_000_000_000n, 2_000_000_000n]);
    const stamps = messages.map((message) => stampFromMessage((message.decode() as { header: { stamp: unknown } }).header.stamp));
    assert.deepEqual(stamps, [
      { sec: 0, nanosec: 0 },
      { sec: 1, nanosec: 0 },
      { sec: 2, nanosec: 0 },
    ]);
    await bag.close();
  });

  it("wrong_rmw bag: non-cdr channels are skipped", async function () {
    const logger = new RecordingLogger();
    const bag = await openReal(this, "rosbag2_wrong_rmw_test_mcap", logger);
    assert.equal(bag.messageCount, 7);
    assert.deepEqual(await readAll(bag), []);
    const skipped = bag.skipped().sort((a, b) => a.topic.localeCompare(b.topic));
    assert.deepEqual(skipped, [
      { topic: "/array_topic", reason: "unsupported message encoding", count: 4 },
      { topic: "/test_topic", reason: "unsupported message encoding", count: 3 },
    ]);
    assert.equal(logger.warnings().filter((line) => line.includes('unsupported message encoding "wrong_format"')).length, 2);
    await bag.close();
  });

  const reproducers: [string, number][] = [
    ["repro/repro_compressed_formats.mcap", 9],
    ["repro/repro_encoding_zoo.mcap", 13],
    ["repro/repro_padded_step_rgb8.mcap", 6],
    ["repro/repro_rgb8_vs_bgr8.mcap", 6],
    ["repro/repro_file_compressed_mcap_zstd", 6],
    ["repro/repro_humble_mcap_zstd", 8],
    ["repro/repro_msg_qualified_deps.mcap", 2],
  ];
  for (const [name, count] of reproducers) {
    it(`${name}: every message decodes`, async function () {
      const bag = await openReal(this, name);
      const messages = await readAll(bag);
      assert.equal(messages.length, count);
      assert.ok(isSorted(messages.map((message) => message.logTimeNs)));
      for (const message of messages) {
        assert.doesNotThrow(() => message.decode(), `${message.topic} decodes`);
      }
      await bag.close();
    });
  }

  it("missing-schema reproducer: built-in fallback and schema id 0", async function () {
    const bag = await openReal(this, "repro/repro_missing_schema.mcap");
    const sources = Object.fromEntries(bag.topics.map((topic) => [topic.name, `${topic.type} ${topic.definitionSource}`]));
    assert.deepEqual(sources, {
      "/camera/color/image_raw": "sensor_msgs/msg/Image builtin",
      "/camera/right/image_raw": "sensor_msgs/msg/Image builtin",
      "/camera/color/image_raw/compressed": "sensor_msgs/msg/CompressedImage bag",
    });
    const messages = await readAll(bag);
    assert.equal(messages.length, 6);
    messages.forEach((message) => message.decode());
    await bag.close();
  });

  it("overlapping lz4 chunks: log-time order", async function () {
    const bag = await openReal(this, "repro/repro_overlapping_chunks_lz4.mcap");
    const messages = await readAll(bag);
    const startNs = messages[0].logTimeNs;
    assert.deepEqual(messages.slice(0, 4).map((message) => Number(message.logTimeNs - startNs) / 1e6), [0, 5, 100, 105]);
    assert.ok(isSorted(messages.map((message) => message.logTimeNs)));
    await bag.close();
  });

  it("Foxy WAL db3: opens without side files", async function () {
    const folder = join(REAL_BAGS, "repro/repro_foxy_sqlite3_wal");
    const before = readdirSync(folder).sort();
    const bag = await openReal(this, "repro/repro_foxy_sqlite3_wal");
    const messages = await readAll(bag);
    assert.equal(messages.length, 6);
    messages.forEach((message) => message.decode());
    await bag.close();
    assert.deepEqual(readdirSync(folder).sort(), before);
  });

  it("Jazzy db3: v9 QoS list and message_definitions", async function () {
    const bag = await openReal(this, "repro/repro_jazzy_sqlite3_simtime");
    const image = bag.topics.find((topic) => topic.name === "/camera/color/image_raw");
    assert.equal(image?.definitionSource, "bag");
    assert.deepEqual(image?.qos, [{ history: "keep_last", depth: 5, reliability: "best_effort", durability: "volatile" }]);
    const messages = await readAll(bag);
    assert.equal(messages.length, 12);
    const clock = messages.find((message) => message.topic === "/clock")?.decode() as { clock: { sec: number } };
    assert.equal(clock.clock.sec, 12);
    await bag.close();
  });

  it("Humble MCAP: numeric QoS string parses to best effort", async function () {
    const bag = await openReal(this, "repro/repro_humble_mcap_zstd");
    for (const topic of bag.topics) {
      assert.equal(topic.qos[0]?.reliability, "best_effort", topic.name);
    }
    await bag.close();
  });
});
