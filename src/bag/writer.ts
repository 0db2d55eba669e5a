/**
 * McapBagWriter: writes a ROS 2 MCAP bag (profile "ros2", cdr messages, ros2msg schemas)
 * that Foxglove and `ros2 bag` open. Data goes to `<out>.tmp-<pid>`, which `close()`
 * renames to `<out>`, so an interrupted run leaves no truncated file under the final
 * name. `abort()` deletes the temporary file.
 */
import { open, rename, unlink, type FileHandle } from "node:fs/promises";

import { FileHandleWritable } from "@mcap/nodejs";

import { ArgumentError, BagError, describeError, StateError } from "../errors";
import { messageDefinitionText, normalizeTypeName } from "../msgs";
import { compressZstd, loadZstdEncoder } from "./compression";
import { McapWriter } from "./mcap-core";
import type { QosProfile } from "./types";

export type ChunkCompression = "zstd" | "none";

export interface McapBagWriterOptions {
  /** Chunk compression; default "zstd". */
  compression?: ChunkCompression;
  /** Uncompressed chunk size in bytes before a chunk is closed; default 1 MiB. */
  chunkSize?: number;
  /** Written to the MCAP header's `library` field; default "softskip". */
  library?: string;
}

export interface WriterTopic {
  name: string;
  /** Any accepted spelling; stored as `pkg/msg/Type`. */
  type: string;
  /** ros2msg schema text; default the built-in definition of `type`. */
  schemaText?: string;
  /** Offered QoS to record; default one reliable, volatile, keep-last-10 profile. */
  qos?: QosProfile[];
}

const DEFAULT_QOS: QosProfile = { history: "keep_last", depth: 10, reliability: "reliable", durability: "volatile" };
const COMPRESSIONS: readonly ChunkCompression[] = ["zstd", "none"];

export class McapBagWriter {
  private readonly channels = new Map<string, number>();
  private state: "open" | "closed" | "aborted" = "open";
  private messageCount = 0;

  private constructor(
    /** Final path, written by `close()`. */
    readonly path: string,
    /** Temporary path that contains the data until `close()`. */
    readonly temporaryPath: string,
    private readonly handle: FileHandle,
    private readonly writer: McapWriter,
  ) {}

  /** Creates `<path>.tmp-<pid>` and writes the MCAP header; throws BagError when it cannot. */
  static async create(path: string, options: McapBagWriterOptions = {}): Promise<McapBagWriter> {
    const compression = options.compression ?? "zstd";
    if (!COMPRESSIONS.includes(compression)) {
      throw new ArgumentError(`Invalid compression ${JSON.stringify(compression)} for McapBagWriter.create: expected "zstd" or "none".`);
    }
    const chunkSize = options.chunkSize ?? 1024 * 1024;
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new ArgumentError(`Invalid chunkSize ${chunkSize} for McapBagWriter.create: expected a positive integer number of bytes.`);
    }
    if (compression === "zstd") {
      await loadZstdEncoder();
    }

    const temporaryPath = `${path}.tmp-${process.pid}`;
    let handle: FileHandle;
    try {
      handle = await open(temporaryPath, "w");
    } catch (error) {
      throw new BagError(path, `Cannot create output bag ${temporaryPath}: ${describeError(error)}; check that the folder exists and is writable.`, { cause: error });
    }

    const writer = new McapWriter({
      writable: new FileHandleWritable(handle),
      chunkSize,
      compressChunk:
        compression === "zstd" ? (data: Uint8Array) => ({ compression: "zstd", compressedData: compressZstd(data) }) : undefined,
    });
    const bagWriter = new McapBagWriter(path, temporaryPath, handle, writer);
    try {
      await writer.start({ profile: "ros2", library: options.library ?? "softskip" });
    } catch (error) {
      await bagWriter.abort();
      throw new BagError(path, `Cannot write output bag ${temporaryPath}: ${describeError(error)}.`, { cause: error });
    }
    return bagWriter;
  }

  /** Number of messages written so far. */
  get count(): number {
    return this.messageCount;
  }

  /** Registers a topic (once per name; later calls return the same channel). */
  async addTopic(topic: WriterTopic): Promise<number> {
    this.assertOpen("addTopic");
    const existing = this.channels.get(topic.name);
    if (existing !== undefined) {
      return existing;
    }

    const type = normalizeTypeName(topic.type);
    const schemaText = topic.schemaText ?? messageDefinitionText(type);
    const schemaId = await this.writer.registerSchema({ name: type, encoding: "ros2msg", data: new TextEncoder().encode(schemaText) });
    const channelId = await this.writer.registerChannel({
      topic: topic.name,
      messageEncoding: "cdr",
      schemaId,
      metadata: new Map([["offered_qos_profiles", qosYaml(topic.qos ?? [DEFAULT_QOS])]]),
    });
    this.channels.set(topic.name, channelId);
    return channelId;
  }

  /** Writes serialized CDR bytes on a registered topic; times in ns. */
  async write(topic: string, logTimeNs: bigint, data: Uint8Array, publishTimeNs: bigint = logTimeNs): Promise<void> {
    this.assertOpen("write");
    const channelId = this.channels.get(topic);
    if (channelId === undefined) {
      throw new StateError(`McapBagWriter.write: topic ${topic} is not registered; call addTopic before write.`);
    }
    await this.writer.addMessage({ channelId, sequence: this.messageCount, logTime: logTimeNs, publishTime: publishTimeNs, data });
    this.messageCount += 1;
  }

  /** Writes the summary, closes the file and renames it to `path`. */
  async close(): Promise<void> {
    this.assertOpen("close");
    try {
      await this.writer.end();
      await this.handle.close();
      this.state = "closed";
      await rename(this.temporaryPath, this.path);
    } catch (error) {
      await this.abort();
      throw new BagError(this.path, `Cannot finish output bag ${this.path}: ${describeError(error)}.`, { cause: error });
    }
  }

  /** Deletes the temporary file; safe to call more than once and after a failed close. */
  async abort(): Promise<void> {
    if (this.state === "aborted") {
      return;
    }
    const wasOpen = this.state === "open";
    this.state = "aborted";
    if (wasOpen) {
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.temporaryPath).catch(() => undefined);
  }

  private assertOpen(method: string): void {
    if (this.state !== "open") {
      throw new StateError(`McapBagWriter.${method} called after the writer was ${this.state}; create a new writer.`);
    }
  }
}

/** Formats profiles as the YAML string with numeric enums that rosbag2 metadata up to version 8 uses. */
function qosYaml(profiles: QosProfile[]): string {
  const history = { keep_last: 1, keep_all: 2, system_default: 0, unknown: 3 };
  const reliability = { reliable: 1, best_effort: 2, system_default: 0, unknown: 3 };
  const durability = { transient_local: 1, volatile: 2, system_default: 0, unknown: 3 };
  return profiles
    .map((profile) =>
      [
        `- history: ${history[profile.history]}`,
        `  depth: ${profile.depth}`,
        `  reliability: ${reliability[profile.reliability]}`,
        `  durability: ${durability[profile.durability]}`,
        "  deadline:\n    sec: 0\n    nsec: 0",
        "  lifespan:\n    sec: 0\n    nsec: 0",
        "  liveliness: 1",
        "  liveliness_lease_duration:\n    sec: 0\n    nsec: 0",
        "  avoid_ros_namespace_conventions: false",
      ].join("\n"),
    )
    .join("\n");
}
