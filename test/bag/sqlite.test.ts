import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import initSqlJs from "sql.js";

import { openBag } from "../../src/bag";
import { compressZstd, loadZstdEncoder } from "../../src/bag/compression";
import { BagError } from "../../src/errors";
import { messageDefinitionText, serializeMessage } from "../../src/msgs";
import { makeTempDir, monoImage, readAll, RecordingLogger, SECOND_NS } from "./helpers";

/** A time above 2^53 ns, where doubles lose nanoseconds. */
const BASE_NS = 1_717_000_000_123_456_789n;

const HUMBLE_QOS = "- history: 3\n  depth: 0\n  reliability: 2\n  durability: 2\n  avoid_ros_namespace_conventions: false";

interface Db3Options {
  layout: "foxy" | "jazzy";
  wal?: boolean;
}

/** Builds a rosbag2 sqlite3 file with sql.js: two images and a transcript, stored out of time order. */
async function writeDb3(path: string, options: Db3Options): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  const jazzy = options.layout === "jazzy";
  db.run(
    `CREATE TABLE topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, serialization_format TEXT NOT NULL, offered_qos_profiles TEXT NOT NULL${jazzy ? ", type_description_hash TEXT NOT NULL" : ""})`,
  );
  db.run("CREATE TABLE messages(id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, data BLOB NOT NULL)");
  const hash = jazzy ? ", 'RIHS01_00'" : "";
  db.run(`INSERT INTO topics VALUES (1, '/camera/image_raw', 'sensor_msgs/msg/Image', 'cdr', '${HUMBLE_QOS}'${hash})`);
  db.run(`INSERT INTO topics VALUES (2, '/transcript', 'std_msgs/msg/String', 'cdr', ''${hash})`);
  if (jazzy) {
    db.run("CREATE TABLE schema(schema_version INTEGER PRIMARY KEY, ros_distro TEXT NOT NULL)");
    db.run("INSERT INTO schema VALUES (4, 'jazzy')");
    db.run("CREATE TABLE metadata(id INTEGER PRIMARY KEY, metadata_version INTEGER NOT NULL, metadata TEXT NOT NULL)");
    db.run("CREATE TABLE message_definitions(id INTEGER PRIMARY KEY, topic_type TEXT NOT NULL, encoding TEXT NOT NULL, encoded_message_definition TEXT NOT NULL, type_description_hash TEXT NOT NULL)");
    db.run("INSERT INTO message_definitions VALUES (1, 'sensor_msgs/msg/Image', 'ros2msg', ?, 'RIHS01_00')", [messageDefinitionText("sensor_msgs/msg/Image")]);
  }
  const insert = db.prepare("INSERT INTO messages(topic_id, timestamp, data) VALUES (?, ?, ?)");
  insert.run([1, (BASE_NS + 2n * SECOND_NS).toString(), serializeMessage("sensor_msgs/msg/Image", monoImage(2))]);
  insert.run([2, (BASE_NS + SECOND_NS).toString(), serializeMessage("std_msgs/msg/String", { data: "grab the cup" })]);
  insert.run([1, BASE_NS.toString(), serializeMessage("sensor_msgs/msg/Image", monoImage(0))]);
  insert.free();
  const bytes = db.export();
  db.close();
  if (options.wal === true) {
    bytes[18] = 2;
    bytes[19] = 2;
  }
  writeFileSync(path, bytes);
}

describe("bag: sqlite3 files", function () {
  const temp = makeTempDir("db3");
  after(() => temp.remove());

  for (const layout of ["foxy", "jazzy"] as const) {
    it(`round trip with the ${layout} layout`, async function () {
      const path = join(temp.dir, `${layout}.db3`);
      await writeDb3(path, { layout });

      const bag = await openBag(path);
      assert.equal(bag.storage, "sqlite3");
      assert.equal(bag.messageCount, 3);
      const image = bag.topics.find((topic) => topic.name === "/camera/image_raw");
      assert.equal(image?.definitionSource, layout === "jazzy" ? "bag" : "builtin");
      assert.deepEqual(image?.qos, [{ history: "unknown", depth: 0, reliability: "best_effort", durability: "volatile" }]);

      const messages = await readAll(bag);
      assert.deepEqual(messages.map((message) => message.logTimeNs), [BASE_NS, BASE_NS + SECOND_NS, BASE_NS + 2n * SECOND_NS]);
      assert.deepEqual(messages[1].decode(), { data: "grab the cup" });
      assert.equal((messages[2].decode() as { header: { stamp: { sec: number } } }).header.stamp.sec, 2);
      await bag.close();
    });
  }

  it("opens a WAL-mode file without writing beside it", async function () {
    const path = join(temp.dir, "wal.db3");
    await writeDb3(path, { layout: "foxy", wal: true });
    const bag = await openBag(path);
    assert.equal((await readAll(bag)).length, 3);
    await bag.close();
  });

  it("warns about unread -wal messages", async function () {
    const path = join(temp.dir, "crashed.db3");
    await writeDb3(path, { layout: "foxy", wal: true });
    writeFileSync(`${path}-wal`, Buffer.alloc(4096, 1));
    const logger = new RecordingLogger();
    const bag = await openBag(path, { logger });
    assert.equal((await readAll(bag)).length, 3);
    await bag.close();
    const warning = logger.lines.find((line) => line.level === "warn")?.message ?? "";
    assert.match(warning, /crashed\.db3-wal contains 4096 bytes of messages not yet in .*crashed\.db3, and they are not read/);
    assert.match(warning, /PRAGMA wal_checkpoint\(TRUNCATE\)/);
  });

  it("reads a file-compressed .db3.zstd", async function () {
    const plain = join(temp.dir, "plain.db3");
    await writeDb3(plain, { layout: "jazzy", wal: true });
    await loadZstdEncoder();
    const path = join(temp.dir, "compressed.db3.zstd");
    writeFileSync(path, compressZstd(readFileSync(plain)));

    const bag = await openBag(path);
    assert.equal(bag.storage, "sqlite3");
    assert.equal((await readAll(bag)).length, 3);
    await bag.close();
  });

  it("rejects an sqlite3 file without rosbag2 tables", async function () {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run("CREATE TABLE notes(text TEXT)");
    const path = join(temp.dir, "notes.db3");
    writeFileSync(path, db.export());
    db.close();

    await assert.rejects(openBag(path), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /notes\.db3 has no topics table, so it is not a rosbag2 sqlite3 bag/);
      return true;
    });
  });

  it("rejects a truncated sqlite3 file", async function () {
    const path = join(temp.dir, "cut.db3");
    await writeDb3(path, { layout: "foxy" });
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    const logger = new RecordingLogger();
    await assert.rejects(openBag(path, { logger }), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /cut\.db3/);
      return true;
    });
  });
});
