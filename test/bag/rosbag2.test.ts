import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { McapBagWriter, openBag } from "../../src/bag";
import { compressZstd, loadZstdEncoder } from "../../src/bag/compression";
import { BagError } from "../../src/errors";
import { serializeMessage } from "../../src/msgs";
import { makeTempDir, monoImage, readAll, RecordingLogger, SECOND_NS, writeSampleBag } from "./helpers";

interface MetadataOptions {
  files: string[];
  storage?: "mcap" | "sqlite3";
  compressionFormat?: string;
  compressionMode?: string;
}

function writeMetadata(folder: string, options: MetadataOptions): void {
  const files = options.files.map((file) => `    - ${file}`).join("\n");
  writeFileSync(
    join(folder, "metadata.yaml"),
    [
      "rosbag2_bagfile_information:",
      "  version: 5",
      `  storage_identifier: ${options.storage ?? "mcap"}`,
      "  topics_with_message_count:",
      "    - topic_metadata:",
      "        name: /camera/image_raw",
      "        type: sensor_msgs/Image",
      "        serialization_format: cdr",
      '        offered_qos_profiles: ""',
      "      message_count: 4",
      `  compression_format: "${options.compressionFormat ?? ""}"`,
      `  compression_mode: "${options.compressionMode ?? ""}"`,
      "  relative_file_paths:",
      files,
      "",
    ].join("\n"),
  );
}

/** Writes one split part whose frames are stamped `seconds`, each payload zstd-compressed when asked. */
async function writePart(path: string, seconds: number[], compressPayloads = false): Promise<void> {
  const writer = await McapBagWriter.create(path, { compression: "none" });
  await writer.addTopic({ name: "/camera/image_raw", type: "sensor_msgs/msg/Image" });
  for (const sec of seconds) {
    const data = serializeMessage("sensor_msgs/msg/Image", monoImage(sec));
    await writer.write("/camera/image_raw", BigInt(sec) * SECOND_NS, compressPayloads ? compressZstd(data) : data);
  }
  await writer.close();
}

describe("bag: rosbag2 folders", function () {
  const temp = makeTempDir("rosbag2");
  after(() => temp.remove());
  before(async () => loadZstdEncoder());

  it("plays split parts in order and warns about missing ones", async function () {
    const folder = join(temp.dir, "split");
    mkdirSync(folder);
    await writePart(join(folder, "split_0.mcap"), [1, 2]);
    await writePart(join(folder, "split_2.mcap"), [5, 6]);
    writeMetadata(folder, { files: ["split_0.mcap", "split_1.mcap", "split_2.mcap"] });

    const logger = new RecordingLogger();
    const bag = await openBag(folder, { logger });
    assert.deepEqual(bag.missingFiles, [join(folder, "split_1.mcap")]);
    assert.equal(bag.messageCount, 4);
    const messages = await readAll(bag);
    assert.deepEqual(messages.map((message) => message.logTimeNs / SECOND_NS), [1n, 2n, 5n, 6n]);
    assert.ok(logger.warnings().some((line) => line.includes("1 of the 3 bag files") && line.includes("split_1.mcap")));
    await bag.close();
  });

  it("finds parts listed with the folder name", async function () {
    const folder = join(temp.dir, "old_bag");
    mkdirSync(folder);
    await writePart(join(folder, "old_bag_0.mcap"), [1, 2]);
    writeMetadata(folder, { files: ["old_bag/old_bag_0.mcap"] });

    const bag = await openBag(folder);
    assert.deepEqual(bag.missingFiles, []);
    assert.deepEqual((await readAll(bag)).map((message) => message.logTimeNs / SECOND_NS), [1n, 2n]);
    await bag.close();
  });

  it("decompresses per-message zstd payloads", async function () {
    const folder = join(temp.dir, "message-mode");
    mkdirSync(folder);
    await writePart(join(folder, "message-mode_0.mcap"), [1, 2], true);
    writeMetadata(folder, { files: ["message-mode_0.mcap"], compressionFormat: "zstd", compressionMode: "MESSAGE" });

    const bag = await openBag(folder);
    const messages = await readAll(bag);
    assert.equal(messages.length, 2);
    assert.equal(messages[0].data[0], 0, "payload starts with the CDR encapsulation header");
    assert.equal((messages[1].decode() as { header: { stamp: { sec: number } } }).header.stamp.sec, 2);
    await bag.close();
  });

  it("reads a file-compressed .mcap.zstd part", async function () {
    const folder = join(temp.dir, "file-mode");
    mkdirSync(folder);
    const plain = join(temp.dir, "file-mode-plain.mcap");
    await writeSampleBag(plain, { frames: 3 });
    writeFileSync(join(folder, "file-mode_0.mcap.zstd"), compressZstd(readFileSync(plain)));
    writeMetadata(folder, { files: ["file-mode_0.mcap.zstd"], compressionFormat: "zstd", compressionMode: "FILE" });

    const bag = await openBag(folder);
    assert.equal((await readAll(bag)).length, 3);
    await bag.close();
  });

  it("rejects a compression format other than zstd", async function () {
    const folder = join(temp.dir, "lz4-mode");
    mkdirSync(folder);
    await writePart(join(folder, "lz4-mode_0.mcap"), [1]);
    writeMetadata(folder, { files: ["lz4-mode_0.mcap"], compressionFormat: "lz4", compressionMode: "FILE" });
    await assert.rejects(openBag(folder), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /unknown rosbag2 compression format "lz4"/);
      return true;
    });
  });

  it("reads a folder of bag files without metadata.yaml", async function () {
    const folder = join(temp.dir, "no-metadata");
    mkdirSync(folder);
    await writePart(join(folder, "part_10.mcap"), [10]);
    await writePart(join(folder, "part_2.mcap"), [2]);
    const logger = new RecordingLogger();
    const bag = await openBag(folder, { logger });
    assert.deepEqual((await readAll(bag)).map((message) => message.logTimeNs / SECOND_NS), [2n, 10n]);
    assert.ok(logger.warnings().some((line) => line.includes("has no metadata.yaml")));
    await bag.close();
  });

  it("rejects a folder that is not a bag", async function () {
    const folder = join(temp.dir, "photos");
    mkdirSync(folder);
    writeFileSync(join(folder, "cat.jpg"), "not a bag");
    await assert.rejects(openBag(folder), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /photos is a folder but not a rosbag2 bag: it has no metadata.yaml and no .mcap or .db3 files/);
      return true;
    });
  });

  it("rejects a folder whose listed files are all missing", async function () {
    const folder = join(temp.dir, "empty-bag");
    mkdirSync(folder);
    writeMetadata(folder, { files: ["empty-bag_0.mcap"] });
    await assert.rejects(openBag(folder), /None of the bag files that .*metadata.yaml lists exist \(empty-bag_0.mcap\)/);
  });

  it("rejects a missing path", async function () {
    await assert.rejects(openBag(join(temp.dir, "nowhere.mcap")), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /Bag not found: .*nowhere\.mcap/);
      assert.match(error.message, /pass an \.mcap or \.db3 file or a rosbag2 folder/);
      return true;
    });
  });

  it("keeps reading when metadata QoS is unreadable", async function () {
    const folder = join(temp.dir, "bad-qos");
    mkdirSync(folder);
    await writePart(join(folder, "bad-qos_0.mcap"), [1]);
    writeMetadata(folder, { files: ["bad-qos_0.mcap"] });
    const path = join(folder, "metadata.yaml");
    writeFileSync(path, readFileSync(path, "utf8").replace('offered_qos_profiles: ""', 'offered_qos_profiles: "reliability: 1"'));

    const logger = new RecordingLogger();
    const bag = await openBag(folder, { logger });
    assert.equal((await readAll(bag)).length, 1);
    assert.ok(logger.warnings().some((line) => line.includes("/camera/image_raw has unreadable QoS")));
    await bag.close();
  });

  it("rejects invalid metadata.yaml", async function () {
    const folder = join(temp.dir, "bad-metadata");
    mkdirSync(folder);
    writeFileSync(join(folder, "metadata.yaml"), "just: [a, list\n");
    await assert.rejects(openBag(folder), /metadata\.yaml is not valid YAML: [^\n]* at line \d+, column \d+; fix the file, or move it aside/);
  });
});
