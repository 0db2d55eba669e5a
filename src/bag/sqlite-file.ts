/**
 * One rosbag2 sqlite3 file (.db3) as a BagFileSource, read with sql.js from a Buffer so
 * nothing is written next to the bag: a WAL-mode file in a read-only folder opens too.
 * Handles every layout from Foxy (topics and messages only) to Jazzy (schema, metadata
 * and message_definitions tables, type_description_hash column).
 */
import { stat } from "node:fs/promises";

import initSqlJs, { type Database, type SqlJsStatic } from "sql.js";

import { BagError, describeError } from "../errors";
import type { Logger } from "../log";
import { parseQosProfiles } from "./qos";
import type { BagFileSource, SourceMessage, SourceTopic } from "./source";
import { MAX_WHOLE_FILE_BYTES, readWholeBagFile, tooLargeBagError, type WholeFileReason } from "./whole-file";

const SQLITE_HEADER = "SQLite format 3\0";
/** Header bytes 18 and 19 are the write and read format versions: 1 legacy, 2 WAL. */
const FORMAT_VERSION_OFFSETS = [18, 19];

const TOO_LARGE: WholeFileReason = {
  why: "sql.js reads sqlite3 bags from memory",
  fix: () =>
    "Convert the bag to MCAP, which is read as a stream: ros2 bag convert -i BAG_FOLDER -o convert.yaml, " +
    "where convert.yaml contains `output_bags: [{uri: BAG_FOLDER_mcap, storage_id: mcap}]`, then replay BAG_FOLDER_mcap",
};

let sqlJs: Promise<SqlJsStatic> | undefined;

function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

/**
 * Opens `file` as a rosbag2 sqlite3 bag; throws BagError when it is not one. `decompressed`
 * contains the contents of a file-compressed `.db3.zstd`, else the file is read from disk.
 */
export async function openSqliteFile(file: string, logger: Logger, decompressed?: Uint8Array): Promise<BagFileSource> {
  if (decompressed !== undefined && decompressed.byteLength > MAX_WHOLE_FILE_BYTES) {
    throw tooLargeBagError(file, decompressed.byteLength, TOO_LARGE, "decompresses to");
  }
  // A private copy, because the header bytes may be changed below.
  const contents = decompressed !== undefined ? Buffer.from(decompressed) : await readWholeBagFile(file, TOO_LARGE);
  if (contents.subarray(0, SQLITE_HEADER.length).toString("latin1") !== SQLITE_HEADER) {
    throw new BagError(file, `${file} is not an sqlite3 file: it does not start with the SQLite header.`);
  }

  // A WAL-mode file opened from memory has no -wal file to merge. Marking the copy as
  // legacy journal mode makes SQLite read the main file alone, which contains every
  // checkpointed page. Only the in-memory copy changes.
  let walMode = false;
  for (const offset of FORMAT_VERSION_OFFSETS) {
    if (contents[offset] === 2) {
      contents[offset] = 1;
      walMode = true;
    }
  }
  // A recorder that crashed, or a copy made while recording, leaves committed messages in
  // the -wal file, which sql.js cannot merge from memory.
  const walSize = walMode && decompressed === undefined ? await fileSize(`${file}-wal`) : 0;
  if (walSize > 0) {
    logger.warn(
      `${file}-wal contains ${walSize} bytes of messages not yet in ${file}, and they are not read; ` +
        `run sqlite3 ${file} "PRAGMA wal_checkpoint(TRUNCATE);" on a copy of the bag folder to merge them, then replay the copy.`,
    );
  }

  const SQL = await loadSqlJs();
  let database: Database;
  try {
    database = new SQL.Database(contents);
  } catch (error) {
    throw new BagError(file, `${file} is not a readable sqlite3 database: ${describeError(error)}.`, { cause: error });
  }

  try {
    const topics = readTopics(file, database, logger);
    return createSource(file, database, topics);
  } catch (error) {
    database.close();
    if (error instanceof BagError) {
      throw error;
    }
    throw new BagError(file, `${file} is corrupt or not a rosbag2 database: ${describeError(error)}. A bag still being recorded, or copied before its recorder stopped, reads like this; copy it again once recording has ended.`, { cause: error });
  }
}

interface TopicRow {
  id: number;
  topic: SourceTopic;
}

function readTopics(file: string, database: Database, logger: Logger): TopicRow[] {
  const tables = new Set(queryRows(database, "SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => String(row["name"])));
  for (const required of ["topics", "messages"]) {
    if (!tables.has(required)) {
      throw new BagError(file, `${file} has no ${required} table, so it is not a rosbag2 sqlite3 bag.`);
    }
  }

  const definitions = tables.has("message_definitions") ? readDefinitions(database) : new Map<string, Definition>();
  const columns = new Set(queryRows(database, "PRAGMA table_info(topics)").map((row) => String(row["name"])));
  const qosColumn = columns.has("offered_qos_profiles") ? "offered_qos_profiles" : "''";
  const counts = new Map(
    queryRows(database, "SELECT topic_id, COUNT(*) AS count FROM messages GROUP BY topic_id").map((row) => [Number(row["topic_id"]), Number(row["count"])]),
  );

  const rows = queryRows(database, `SELECT id, name, type, serialization_format, ${qosColumn} AS qos FROM topics ORDER BY id`);
  return rows.map((row) => {
    const name = String(row["name"]);
    const type = String(row["type"]);
    const definition = definitions.get(type);
    return {
      id: Number(row["id"]),
      topic: {
        name,
        type,
        messageEncoding: String(row["serialization_format"] ?? "cdr"),
        schemaEncoding: definition?.encoding ?? "",
        schemaData: definition?.text ?? new Uint8Array(0),
        qos: parseTopicQos(file, name, row["qos"], logger),
        messageCount: counts.get(Number(row["id"])) ?? 0,
      },
    };
  });
}

interface Definition {
  encoding: string;
  text: Uint8Array;
}

function readDefinitions(database: Database): Map<string, Definition> {
  const definitions = new Map<string, Definition>();
  const rows = queryRows(database, "SELECT topic_type, encoding, encoded_message_definition FROM message_definitions");
  for (const row of rows) {
    definitions.set(String(row["topic_type"]), {
      encoding: String(row["encoding"] ?? ""),
      text: new TextEncoder().encode(String(row["encoded_message_definition"] ?? "")),
    });
  }
  return definitions;
}

function parseTopicQos(file: string, topic: string, value: unknown, logger: Logger): SourceTopic["qos"] {
  try {
    return parseQosProfiles(value);
  } catch (error) {
    logger.warn(`${file}: topic ${topic} has unreadable QoS, so its QoS is left empty: ${describeError(error)}.`);
    return [];
  }
}

function createSource(file: string, database: Database, rows: TopicRow[]): BagFileSource {
  const topicNames = new Map(rows.map((row) => [row.id, row.topic.name]));
  let closed = false;
  return {
    file,
    topics: rows.map((row) => row.topic),
    async *messages(): AsyncGenerator<SourceMessage> {
      // The timestamp is read as text because sql.js returns 64-bit integers as doubles,
      // which lose nanoseconds above 2^53 ns (about 104 days after the epoch).
      const statement = database.prepare(
        "SELECT topic_id, CAST(timestamp AS TEXT) AS stamp, data FROM messages ORDER BY timestamp, id",
      );
      try {
        while (!closed && stepStatement(file, statement)) {
          const row = statement.getAsObject();
          const timeNs = BigInt(String(row["stamp"]));
          const data = row["data"];
          yield {
            topic: topicNames.get(Number(row["topic_id"])) ?? `<topic id ${String(row["topic_id"])}>`,
            logTimeNs: timeNs,
            publishTimeNs: timeNs,
            data: data instanceof Uint8Array ? data : new Uint8Array(0),
          };
        }
      } finally {
        // Database.close() frees its statements itself.
        if (!closed) {
          statement.free();
        }
      }
    },
    async close(): Promise<void> {
      if (!closed) {
        closed = true;
        database.close();
      }
    },
  };
}

function stepStatement(file: string, statement: ReturnType<Database["prepare"]>): boolean {
  try {
    return statement.step();
  } catch (error) {
    throw new BagError(file, `${file} is corrupt: reading its messages table failed: ${describeError(error)}.`, { cause: error });
  }
}

function queryRows(database: Database, sql: string): Record<string, unknown>[] {
  const statement = database.prepare(sql);
  const rows: Record<string, unknown>[] = [];
  try {
    while (statement.step()) {
      rows.push(statement.getAsObject());
    }
  } finally {
    statement.free();
  }
  return rows;
}

/** Size of a file in bytes, 0 when it does not exist or cannot be read. */
async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
