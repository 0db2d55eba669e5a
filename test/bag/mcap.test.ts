import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";

import { compress as lz4Compress } from "lz4js";

import { McapBagWriter, openBag } from "../../src/bag";
import { McapWriter } from "../../src/bag/mcap-core";
import type { McapWriterOptions } from "@mcap/core" with { "resolution-mode": "import" };
import { ArgumentError, BagError, InputError, StateError } from "../../src/errors";
import { serializeMessage, stampFromMessage } from "../../src/msgs";
import { FileHandleWritable } from "@mcap/nodejs";
import { chunkRecords, makeTempDir, monoImage, readAll, RecordingLogger, SECOND_NS, writeSampleBag } from "./helpers";

/** Writes an MCAP file with raw McapWriter calls, for layouts McapBagWriter never produces. */
async function writeRawMcap(
  path: string,
  build: (writer: McapWriter) => Promise<void>,
  compressChunk?: (data: Uint8Array) => { compression: string; compressedData: Uint8Array },
): Promise<void> {
  const handle = await open(path, "w");
  const writer = new McapWriter({ writable: new FileHandleWritable(handle), compressChunk, chunkSize: 64 });
  await writer.start({ profile: "ros2", library: "softskip tests" });
  await build(writer);
  await writer.end();
  await handle.close();
}

function imageSchemaText(): Uint8Array {
  return new TextEncoder().encode("std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\nuint8 is_bigendian\nuint32 step\nuint8[] data\n================================================================================\nMSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n================================================================================\nMSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n");
}

/**
 * Writes `count` images logged at 1, 2, ... s with raw McapWriter calls (64-byte chunks, so
 * one image per chunk) and returns the file's bytes.
 */
async function writeImages(path: string, count: number, options: Partial<McapWriterOptions> = {}): Promise<Buffer> {
  const handle = await open(path, "w");
  const writer = new McapWriter({ writable: new FileHandleWritable(handle), chunkSize: 64, ...options });
  await writer.start({ profile: "ros2", library: "softskip tests" });
  const schema = await writer.registerSchema({ name: "sensor_msgs/msg/Image", encoding: "ros2msg", data: imageSchemaText() });
  const channel = await writer.registerChannel({ topic: "/camera/image_raw", schemaId: schema, messageEncoding: "cdr", metadata: new Map() });
  for (let index = 0; index < count; index += 1) {
    const time = BigInt(index + 1) * SECOND_NS;
    await writer.addMessage({ channelId: channel, sequence: index, logTime: time, publishTime: time, data: serializeMessage("sensor_msgs/msg/Image", monoImage(index + 1)) });
  }
  await writer.end();
  await handle.close();
  return readFileSync(path);
}

describe("bag: MCAP files", function () {
  const temp = makeTempDir("mcap");
  after(() => temp.remove());

  for (const compression of ["zstd", "none"] as const) {
    it(`round trip with ${compression} chunks`, async function () {
      const path = join(temp.dir, `round-${compression}.mcap`);
      await writeSampleBag(path, { compression, transcripts: [[100.5, "grab the mug"]], chunkSize: 256 });

      const bag = await openBag(path);
      assert.equal(bag.storage, "mcap");
      assert.equal(bag.messageCount, 6);
      const image = bag.topics.find((topic) => topic.name === "/camera/image_raw");
      assert.equal(image?.type, "sensor_msgs/msg/Image");
      assert.equal(image?.encoding, "cdr");
      assert.equal(image?.definitionSource, "bag");
      assert.equal(image?.qos[0]?.reliability, "reliable");

      const messages = await readAll(bag);
      assert.deepEqual(
        messages.map((message) => message.topic),
        ["/camera/image_raw", "/transcript", "/camera/image_raw", "/camera/image_raw", "/camera/image_raw", "/camera/image_raw"],
      );
      assert.equal(messages[1].logTimeNs, 100_500_000_000n);
      const decoded = messages[2].decode() as { header: { stamp: { sec: number } }; data: Uint8Array };
      assert.equal(decoded.header.stamp.sec, 101);
      assert.deepEqual([...decoded.data], new Array(32 * 32).fill(1));
      assert.deepEqual(messages[1].decode(), { data: "grab the mug" });

      let iterated = 0;
      for await (const message of bag) {
        assert.equal(message.topic, messages[iterated].topic);
        iterated += 1;
      }
      assert.equal(iterated, 6);
      await bag.close();
    });
  }

  it("reads lz4 frame chunks", async function () {
    const path = join(temp.dir, "lz4.mcap");
    await writeRawMcap(
      path,
      async (writer) => {
        const schemaId = await writer.registerSchema({ name: "sensor_msgs/msg/Image", encoding: "ros2msg", data: imageSchemaText() });
        const channelId = await writer.registerChannel({ topic: "/camera/image_raw", schemaId, messageEncoding: "cdr", metadata: new Map() });
        // Written out of order across chunks: the reader must still yield log-time order.
        for (const sec of [3, 1, 2]) {
          const data = serializeMessage("sensor_msgs/msg/Image", monoImage(sec));
          await writer.addMessage({ channelId, sequence: sec, logTime: BigInt(sec) * SECOND_NS, publishTime: BigInt(sec) * SECOND_NS, data });
        }
      },
      (data) => ({ compression: "lz4", compressedData: lz4Compress(data) }),
    );

    const bag = await openBag(path);
    const messages = await readAll(bag);
    assert.deepEqual(messages.map((message) => message.logTimeNs), [1n, 2n, 3n].map((sec) => sec * SECOND_NS));
    assert.equal((messages[0].decode() as { width: number }).width, 4);
    await bag.close();
  });

  it("rejects unknown chunk compression", async function () {
    const path = join(temp.dir, "brotli.mcap");
    await writeRawMcap(
      path,
      async (writer) => {
        const schemaId = await writer.registerSchema({ name: "std_msgs/msg/String", encoding: "ros2msg", data: new TextEncoder().encode("string data\n") });
        const channelId = await writer.registerChannel({ topic: "/t", schemaId, messageEncoding: "cdr", metadata: new Map() });
        await writer.addMessage({ channelId, sequence: 0, logTime: 1n, publishTime: 1n, data: serializeMessage("std_msgs/msg/String", { data: "x" }) });
      },
      (data) => ({ compression: "brotli", compressedData: data }),
    );

    await assert.rejects(openBag(path), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /unknown chunk compression "brotli"/);
      assert.match(error.message, /brotli\.mcap/);
      return true;
    });
  });

  it("uses built-in definitions when the schema is missing", async function () {
    const path = join(temp.dir, "no-schema.mcap");
    const rosbag2Metadata = "topics_with_message_count:\n  - topic_metadata:\n      name: /right/image_raw\n      type: sensor_msgs/Image\n      serialization_format: cdr\n      offered_qos_profiles: ''\n    message_count: 1\n";
    await writeRawMcap(path, async (writer) => {
      const unknownSchema = await writer.registerSchema({ name: "sensor_msgs/msg/Image", encoding: "unknown", data: new Uint8Array(0) });
      const emptySchema = await writer.registerSchema({ name: "std_msgs/msg/Empty", encoding: "ros2msg", data: new Uint8Array(0) });
      const left = await writer.registerChannel({ topic: "/left/image_raw", schemaId: unknownSchema, messageEncoding: "cdr", metadata: new Map() });
      const right = await writer.registerChannel({ topic: "/right/image_raw", schemaId: 0, messageEncoding: "cdr", metadata: new Map() });
      const empty = await writer.registerChannel({ topic: "/tick", schemaId: emptySchema, messageEncoding: "cdr", metadata: new Map() });
      const image = serializeMessage("sensor_msgs/msg/Image", monoImage(1));
      await writer.addMessage({ channelId: left, sequence: 0, logTime: 1n, publishTime: 1n, data: image });
      await writer.addMessage({ channelId: right, sequence: 1, logTime: 2n, publishTime: 2n, data: image });
      await writer.addMessage({ channelId: empty, sequence: 2, logTime: 3n, publishTime: 3n, data: serializeMessage("std_msgs/msg/Empty", {}) });
      await writer.addMetadata({ name: "rosbag2", metadata: new Map([["serialized_metadata", rosbag2Metadata]]) });
    });

    const bag = await openBag(path);
    const sources = Object.fromEntries(bag.topics.map((topic) => [topic.name, [topic.type, topic.definitionSource]]));
    assert.deepEqual(sources["/left/image_raw"], ["sensor_msgs/msg/Image", "builtin"]);
    assert.deepEqual(sources["/right/image_raw"], ["sensor_msgs/msg/Image", "builtin"]);
    assert.deepEqual(sources["/tick"], ["std_msgs/msg/Empty", "bag"]);
    const messages = await readAll(bag);
    assert.equal(messages.length, 3);
    assert.equal((messages[1].decode() as { encoding: string }).encoding, "mono8");
    await bag.close();
  });

  for (const layout of [
    { name: "without chunks", options: { useChunks: false } },
    { name: "without a chunk index", options: { useChunkIndex: false } },
    { name: "without message indexes", options: { useMessageIndex: false } },
  ]) {
    it(`reads a file ${layout.name}`, async function () {
      const path = join(temp.dir, `layout-${readdirSync(temp.dir).length}.mcap`);
      await writeImages(path, 3, layout.options);

      const bag = await openBag(path);
      assert.deepEqual((await readAll(bag)).map((message) => message.logTimeNs), [1n, 2n, 3n].map((second) => second * SECOND_NS));
      await bag.close();
    });
  }

  it("decodes ros2idl schemas", async function () {
    const path = join(temp.dir, "idl.mcap");
    const idl = [
      "=".repeat(80),
      "IDL: std_msgs/msg/Header",
      "module std_msgs { module msg { struct Header { builtin_interfaces::msg::Time stamp; string frame_id; }; }; };",
      "=".repeat(80),
      "IDL: builtin_interfaces/msg/Time",
      "module builtin_interfaces { module msg { struct Time { int32 sec; uint32 nanosec; }; }; };",
    ].join("\n");
    await writeRawMcap(path, async (writer) => {
      const schemaId = await writer.registerSchema({ name: "std_msgs/msg/Header", encoding: "ros2idl", data: new TextEncoder().encode(idl) });
      const channelId = await writer.registerChannel({ topic: "/header", schemaId, messageEncoding: "cdr", metadata: new Map() });
      const data = serializeMessage("std_msgs/msg/Header", { stamp: { sec: 7, nanosec: 250 }, frame_id: "map" });
      await writer.addMessage({ channelId, sequence: 0, logTime: 1n, publishTime: 1n, data });
    });

    const bag = await openBag(path);
    assert.equal(bag.topics[0].definitionSource, "bag");
    const [message] = await readAll(bag);
    const header = message.decode() as { stamp: unknown; frame_id: string };
    assert.equal(header.frame_id, "map");
    // @foxglove/ros2idl-parser 0.3.5 names the field nsec; stampFromMessage accepts both.
    assert.deepEqual(stampFromMessage(header.stamp), { sec: 7, nanosec: 250 });
    await bag.close();
  });

  it("skips channels with a non-cdr encoding", async function () {
    const path = join(temp.dir, "json.mcap");
    await writeRawMcap(path, async (writer) => {
      const schemaId = await writer.registerSchema({ name: "std_msgs/msg/String", encoding: "ros2msg", data: new TextEncoder().encode("string data\n") });
      const json = await writer.registerChannel({ topic: "/json", schemaId, messageEncoding: "json", metadata: new Map() });
      const cdr = await writer.registerChannel({ topic: "/cdr", schemaId, messageEncoding: "cdr", metadata: new Map() });
      await writer.addMessage({ channelId: json, sequence: 0, logTime: 1n, publishTime: 1n, data: new TextEncoder().encode('{"data":"x"}') });
      await writer.addMessage({ channelId: cdr, sequence: 1, logTime: 2n, publishTime: 2n, data: serializeMessage("std_msgs/msg/String", { data: "y" }) });
    });

    const logger = new RecordingLogger();
    const bag = await openBag(path, { logger });
    const messages = await readAll(bag);
    assert.deepEqual(messages.map((message) => message.topic), ["/cdr"]);
    assert.deepEqual(bag.skipped(), [{ topic: "/json", reason: "unsupported message encoding", count: 1 }]);
    assert.ok(logger.warnings().some((line) => line.includes("unsupported message encoding") && line.includes("/json")));
    await bag.close();
  });

  it("replays a cut-short file up to its last complete chunk", async function () {
    const path = join(temp.dir, "cut.mcap");
    await writeSampleBag(path, { compression: "zstd", frames: 20, chunkSize: 64 });
    const whole = readFileSync(path);
    const cutPath = join(temp.dir, "cut-short.mcap");
    writeFileSync(cutPath, whole.subarray(0, Math.floor(whole.length * 0.35)));

    const logger = new RecordingLogger();
    const bag = await openBag(cutPath, { logger });
    const messages = await readAll(bag);
    assert.ok(messages.length > 0, "some frames before the cut replay");
    assert.ok(messages.length < 20, `frames after the cut are gone, got ${messages.length} of 20`);
    const times = messages.map((message) => message.logTimeNs);
    assert.deepEqual(times, [...times].sort((a, b) => (a < b ? -1 : 1)));
    const warnings = logger.warnings();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /cut-short\.mcap is cut short: its complete records end at byte \d+/);
    assert.deepEqual(bag.truncatedFiles, [cutPath]);
    await bag.close();

    const complete = await openBag(path);
    assert.deepEqual(complete.truncatedFiles, []);
    await complete.close();
  });

  async function readSeconds(path: string, logger = new RecordingLogger()): Promise<{ seconds: bigint[]; skipped: number; truncated: number }> {
    const bag = await openBag(path, { logger });
    const seconds = (await readAll(bag)).map((message) => message.logTimeNs / SECOND_NS);
    const result = { seconds, skipped: bag.skippedChunks.length, truncated: bag.truncatedFiles.length };
    await bag.close();
    return result;
  }

  it("reads the whole messages of a cut uncompressed chunk", async function () {
    const path = join(temp.dir, "cut-open-chunk.mcap");
    // One uncompressed chunk contains all three frames; the cut falls inside the third.
    await writeSampleBag(path, { compression: "none", frames: 3 });
    const whole = readFileSync(path);
    const [[start, end]] = chunkRecords(whole);
    const cutPath = join(temp.dir, "cut-open-chunk-short.mcap");
    writeFileSync(cutPath, whole.subarray(0, end - 4));

    const logger = new RecordingLogger();
    const bag = await openBag(cutPath, { logger });
    const seconds = (await readAll(bag)).map((message) => message.logTimeNs / SECOND_NS);
    assert.ok(start > 0);
    assert.deepEqual(seconds, [100n, 101n]);
    assert.deepEqual(bag.truncatedFiles, [cutPath]);
    assert.ok(logger.warnings().some((line) => line.includes("read 2 whole messages from the uncompressed chunk")), logger.warnings().join("\n"));
    await bag.close();
  });

  for (const layout of [
    { name: "an indexed file", options: {} },
    { name: "a file without a chunk index", options: { useChunkIndex: false } },
  ]) {
    it(`skips a corrupt chunk of ${layout.name} and reads the others`, async function () {
      const path = join(temp.dir, `corrupt-${readdirSync(temp.dir).length}.mcap`);
      const bytes = await writeImages(path, 6, layout.options);
      // Flip the last byte of the third chunk record (image data): its CRC no longer matches.
      const chunks = chunkRecords(bytes);
      assert.equal(chunks.length, 6, "one chunk per message");
      bytes[chunks[2][1] - 1] ^= 0xff;
      writeFileSync(path, bytes);

      const logger = new RecordingLogger();
      const bag = await openBag(path, { logger });
      const times = (await readAll(bag)).map((message) => message.logTimeNs / SECOND_NS);
      assert.deepEqual(times, [1n, 2n, 4n, 5n, 6n]);
      assert.equal(bag.skippedChunks.length, 1);
      assert.equal(bag.skippedChunks[0].startNs, 3n * SECOND_NS);
      assert.match(bag.skippedChunks[0].reason, /CRC/);
      const warnings = logger.warnings();
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0], /corrupt-\d+\.mcap: skipping the corrupt chunk at byte \d+ \(messages logged from 3\.000 s to 3\.000 s\): Incorrect chunk CRC \d+ \(expected \d+\)\. The other chunks are read\./);
      await bag.close();
    });
  }

  it("reads past a corrupt first chunk of an unindexed file", async function () {
    const path = join(temp.dir, "corrupt-first.mcap");
    const bytes = await writeImages(path, 6, { useChunkIndex: false });
    // The first chunk also carries the schema and channel records.
    bytes[chunkRecords(bytes)[0][1] - 1] ^= 0xff;
    writeFileSync(path, bytes);
    assert.deepEqual(await readSeconds(path), { seconds: [2n, 3n, 4n, 5n, 6n], skipped: 1, truncated: 0 });
  });

  it("reads past a damaged chunk length", async function () {
    const path = join(temp.dir, "bad-length.mcap");
    const bytes = await writeImages(path, 6, { useChunkIndex: false });
    // The high byte of the second chunk's record length: the length runs past the file.
    bytes[chunkRecords(bytes)[1][0] + 8] = 0x7f;
    writeFileSync(path, bytes);
    assert.deepEqual(await readSeconds(path), { seconds: [1n, 3n, 4n, 5n, 6n], skipped: 1, truncated: 0 });
  });

  // Each case damages the data section of a six-chunk file; `bytes` and the chunk ranges are
  // those of the intact file. Every case loses the third image (or nothing) and no more.
  const damages: Array<{ name: string; damage: (bytes: Buffer, chunks: Array<[number, number]>) => void; seconds: bigint[]; skipped: number; lz4?: boolean }> = [
    { name: "a chunk opcode turned into a footer", damage: (bytes, chunks) => void (bytes[chunks[2][0]] = 0x02), seconds: [1n, 2n, 4n, 5n, 6n], skipped: 1 },
    { name: "a chunk opcode turned into a private record", damage: (bytes, chunks) => void (bytes[chunks[2][0]] = 0x80), seconds: [1n, 2n, 4n, 5n, 6n], skipped: 1 },
    { name: "a chunk length grown inside the file", damage: (bytes, chunks) => void (bytes[chunks[2][0] + 1] += 0x40), seconds: [1n, 2n, 4n, 5n, 6n], skipped: 1 },
    { name: "the last chunk's length grown past the file", damage: (bytes, chunks) => void (bytes[chunks[5][0] + 7] = 0x7f), seconds: [1n, 2n, 3n, 4n, 5n], skipped: 1 },
    { name: "a compression name", damage: (bytes, chunks) => void (bytes[chunks[2][0] + 9 + 32 + 2] = 0x35), seconds: [1n, 2n, 4n, 5n, 6n], skipped: 1, lz4: true },
  ];
  for (const { name, damage, seconds, skipped, lz4 } of damages) {
    it(`reads past ${name} in an unindexed file`, async function () {
      const path = join(temp.dir, `damage-${readdirSync(temp.dir).length}.mcap`);
      const compressChunk = (data: Uint8Array): { compression: string; compressedData: Uint8Array } => ({ compression: "lz4", compressedData: lz4Compress(data) });
      const bytes = await writeImages(path, 6, { useChunkIndex: false, ...(lz4 === true ? { compressChunk } : {}) });
      damage(bytes, chunkRecords(bytes));
      writeFileSync(path, bytes);
      assert.deepEqual(await readSeconds(path), { seconds, skipped, truncated: 0 });
    });
  }

  it("skips an unreadable message index and keeps its chunk", async function () {
    const path = join(temp.dir, "bad-index.mcap");
    const bytes = await writeImages(path, 3, { useChunkIndex: false });
    // The message index after the second chunk: opcode 0x07, then channel id (uint16) and
    // the byte length (uint32) of its entries, which no longer fits the record.
    const indexAt = chunkRecords(bytes)[1][1];
    assert.equal(bytes[indexAt], 0x07);
    bytes.writeUInt32LE(7, indexAt + 9 + 2);
    writeFileSync(path, bytes);
    const logger = new RecordingLogger();
    assert.deepEqual(await readSeconds(path, logger), { seconds: [1n, 2n, 3n], skipped: 0, truncated: 0 });
    assert.ok(logger.warnings().some((line) => line.includes(`skipping the unreadable record at byte ${indexAt} (opcode 7)`)), logger.warnings().join("\n"));
  });

  it("reports a run of damaged records as one region", async function () {
    const path = join(temp.dir, "damaged-run.mcap");
    const bytes = await writeImages(path, 2, { useChunkIndex: false });
    const [, second] = chunkRecords(bytes);
    // Zero-length "chunk" records over the second chunk's bytes.
    const run = Buffer.alloc(second[1] - second[0]);
    for (let at = 0; at + 9 <= run.length; at += 9) {
      run[at] = 0x06;
    }
    run.copy(bytes, second[0]);
    writeFileSync(path, bytes);
    assert.deepEqual(await readSeconds(path), { seconds: [1n], skipped: 1, truncated: 0 });
  });

  it("reads a file whose closing magic is damaged", async function () {
    const path = join(temp.dir, "bad-magic.mcap");
    const bytes = await writeImages(path, 6, {});
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(path, bytes);
    const logger = new RecordingLogger();
    assert.deepEqual(await readSeconds(path, logger), { seconds: [1n, 2n, 3n, 4n, 5n, 6n], skipped: 0, truncated: 0 });
    assert.ok(logger.warnings().some((line) => /footer or closing magic bytes at byte \d+ are damaged/.test(line)), logger.warnings().join("\n"));
  });

  it("resumes around a corrupt chunk among overlapping ones", async function () {
    const path = join(temp.dir, "overlapping-corrupt.mcap");
    const small = new Uint8Array(100);
    // Chunks close once they reach 150 bytes: [P1] [A5 A7] [C7 C7b] [B3 B7], in file order.
    const handle = await open(path, "w");
    const writer = new McapWriter({ writable: new FileHandleWritable(handle), chunkSize: 150 });
    await writer.start({ profile: "ros2", library: "softskip tests" });
    const schema = await writer.registerSchema({ name: "std_msgs/msg/String", encoding: "ros2msg", data: new TextEncoder().encode("string data\n") });
    const channel = await writer.registerChannel({ topic: "/t", schemaId: schema, messageEncoding: "cdr", metadata: new Map() });
    const messages: Array<[number, number]> = [[1, 200], [5, 100], [7, 100], [7, 100], [7, 101], [3, 100], [7, 102]];
    for (const [index, [second, size]] of messages.entries()) {
      const time = BigInt(second) * SECOND_NS;
      await writer.addMessage({ channelId: channel, sequence: index, logTime: time, publishTime: time, data: size === 100 ? small : new Uint8Array(size) });
    }
    await writer.end();
    await handle.close();
    const bytes = readFileSync(path);
    const chunks = chunkRecords(bytes);
    assert.equal(chunks.length, 4);
    bytes[chunks[2][1] - 1] ^= 0xff;
    writeFileSync(path, bytes);

    const bag = await openBag(path);
    const read = (await readAll(bag)).map((message) => [message.logTimeNs / SECOND_NS, message.data.length]);
    await bag.close();
    // Sequences: P, A5, A7, then B3 and B7; the corrupt chunk's two messages are gone, none repeats.
    assert.deepEqual(read, [[1n, 200], [3n, 100], [5n, 100], [7n, 100], [7n, 102]]);
  });

  it("rejects corrupt CDR per message", async function () {
    const path = join(temp.dir, "bad-cdr.mcap");
    const writer = await McapBagWriter.create(path, { compression: "none" });
    await writer.addTopic({ name: "/camera/image_raw", type: "sensor_msgs/Image" });
    await writer.write("/camera/image_raw", 1n, new Uint8Array([0, 1, 0, 0, 9]));
    await writer.close();

    const bag = await openBag(path);
    const [message] = await readAll(bag);
    assert.throws(() => message.decode(), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.reason, "corrupt_cdr");
      assert.match(error.message, /\/camera\/image_raw/);
      return true;
    });
    await bag.close();
  });

  it("rejects a file that is not a bag", async function () {
    const path = join(temp.dir, "notes.mcap");
    writeFileSync(path, "hello, not a bag\n");
    await assert.rejects(openBag(path), /notes\.mcap is not a bag file: it starts with bytes 68656c6c6f2c206e/);
  });
});

describe("bag: McapBagWriter", function () {
  const temp = makeTempDir("writer");
  after(() => temp.remove());

  it("renames the temporary file on close", async function () {
    const path = join(temp.dir, "out.mcap");
    const writer = await McapBagWriter.create(path);
    assert.equal(writer.temporaryPath, `${path}.tmp-${process.pid}`);
    assert.ok(existsSync(writer.temporaryPath));
    assert.ok(!existsSync(path));
    await writer.close();
    assert.ok(existsSync(path));
    assert.ok(!existsSync(writer.temporaryPath));
  });

  it("abort deletes the temporary file", async function () {
    const path = join(temp.dir, "aborted.mcap");
    const writer = await McapBagWriter.create(path);
    await writer.addTopic({ name: "/t", type: "std_msgs/String" });
    await writer.write("/t", 1n, serializeMessage("std_msgs/msg/String", { data: "x" }));
    await writer.abort();
    await writer.abort();
    assert.deepEqual(readdirSync(temp.dir).filter((name) => name.startsWith("aborted")), []);
  });

  it("rejects writes in the wrong order", async function () {
    const path = join(temp.dir, "order.mcap");
    const writer = await McapBagWriter.create(path);
    await assert.rejects(writer.write("/unregistered", 1n, new Uint8Array(4)), (error: unknown) => {
      assert.ok(error instanceof StateError);
      assert.match(error.message, /topic \/unregistered is not registered; call addTopic before write/);
      return true;
    });
    await writer.close();
    await assert.rejects(writer.addTopic({ name: "/t", type: "std_msgs/String" }), /McapBagWriter.addTopic called after the writer was closed/);
  });

  it("rejects bad options", async function () {
    const path = join(temp.dir, "bad.mcap");
    await assert.rejects(McapBagWriter.create(path, { compression: "lz5" as "zstd" }), (error: unknown) => {
      assert.ok(error instanceof ArgumentError);
      assert.match(error.message, /Invalid compression "lz5"/);
      return true;
    });
    await assert.rejects(McapBagWriter.create(path, { chunkSize: 0 }), /Invalid chunkSize 0/);
    await assert.rejects(McapBagWriter.create(join(temp.dir, "no-such-folder", "x.mcap")), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /Cannot create output bag .*no-such-folder/);
      return true;
    });
  });
});
