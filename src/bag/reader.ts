/**
 * `openBag`: one BagReader over every file of a bag, whatever its storage. It merges the
 * files' topics, picks each topic's definition, undoes rosbag2 per-message compression
 * and merges the files' messages into one log-time order.
 */
import { basename } from "node:path";

import type { MessageReader } from "@foxglove/rosmsg2-serialization";

import { BagError, describeError, InputError } from "../errors";
import { RateLimitedLog, silentLogger, type Logger } from "../log";
import { decompressZstd, hasZstdMagic } from "./compression";
import { fullTypeName, resolveDefinition } from "./definitions";
import { loadBagFile, resolveBagLayout, type BagLayout } from "./files";
import { openMcapFile } from "./mcap-file";
import { mergeByLogTime } from "./merge";
import type { BagMetadata } from "./metadata";
import type { SkippedChunk } from "./mcap-recovery";
import type { BagFileSource, SourceMessage, SourceTopic } from "./source";
import { openSqliteFile } from "./sqlite-file";
import type { BagMessage, BagReader, BagTopic, OpenBagOptions, SkippedMessages } from "./types";

interface TopicState {
  info: BagTopic;
  reader?: MessageReader;
  skipReason?: SkippedMessages["reason"];
}

/**
 * Opens an MCAP file, an sqlite3 (.db3) file or a rosbag2 folder. Throws BagError for a
 * missing path, a folder that is not a bag, corrupt data or an unknown compression.
 */
export async function openBag(path: string, options: OpenBagOptions = {}): Promise<BagReader> {
  return RosBagReader.open(path, options.logger ?? silentLogger);
}

class RosBagReader implements BagReader {
  private readonly topicStates: Map<string, TopicState>;
  private readonly warnings: RateLimitedLog;
  private skippedCounts = new Map<string, SkippedMessages>();

  private constructor(
    readonly path: string,
    readonly storage: "mcap" | "sqlite3",
    private readonly sources: BagFileSource[],
    readonly missingFiles: readonly string[],
    private readonly metadata: BagMetadata | undefined,
    private readonly logger: Logger,
  ) {
    this.warnings = new RateLimitedLog(logger, 5000);
    this.topicStates = this.buildTopics();
  }

  get skippedChunks(): readonly SkippedChunk[] {
    return this.sources.flatMap((source) => source.skippedChunks ?? []);
  }

  get truncatedFiles(): readonly string[] {
    return this.sources.filter((source) => source.truncated === true).map((source) => source.file);
  }

  static async open(path: string, logger: Logger): Promise<RosBagReader> {
    const layout = await resolveBagLayout(path, logger);
    checkCompression(path, layout);
    if (layout.missing.length > 0) {
      logger.warn(
        `${path}: ${layout.missing.length} of the ${layout.files.length + layout.missing.length} bag files that metadata.yaml lists are missing ` +
          `(${layout.missing.map((file) => basename(file)).join(", ")}); replaying the ${layout.files.length} that exist.`,
      );
    }

    const sources: BagFileSource[] = [];
    let storage: "mcap" | "sqlite3" | undefined;
    try {
      for (const file of layout.files) {
        const loaded = await loadBagFile(file);
        const source = loaded.kind === "sqlite3" ? await openSqliteFile(file, logger, loaded.contents) : await openMcapFile(file, { logger, contents: loaded.contents });
        sources.push(source);
        storage ??= loaded.kind === "sqlite3" ? "sqlite3" : "mcap";
      }
    } catch (error) {
      await Promise.all(sources.map((source) => source.close()));
      throw error;
    }
    return new RosBagReader(path, storage ?? "mcap", sources, layout.missing, layout.metadata, logger);
  }

  get topics(): readonly BagTopic[] {
    return [...this.topicStates.values()].map((state) => state.info);
  }

  get messageCount(): number {
    return this.topics.reduce((sum, topic) => sum + topic.messageCount, 0);
  }

  skipped(): SkippedMessages[] {
    return [...this.skippedCounts.values()];
  }

  async *messages(): AsyncGenerator<BagMessage> {
    this.skippedCounts = new Map();
    for await (const message of mergeByLogTime(this.sources.map((source) => source.messages()))) {
      const state = this.topicStates.get(message.topic);
      if (state === undefined || state.reader === undefined) {
        this.countSkipped(message.topic, state?.skipReason ?? "missing message definition");
        continue;
      }
      const data = this.payload(message);
      if (data === undefined) {
        continue;
      }
      yield this.toBagMessage(message, data, state.info.type, state.reader);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<BagMessage> {
    return this.messages();
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.close()));
  }

  /** Merges per-file topics by name; metadata.yaml fills types and QoS a file lacks. */
  private buildTopics(): Map<string, TopicState> {
    const merged = new Map<string, { topic: SourceTopic; file: string }>();
    for (const source of this.sources) {
      for (const topic of source.topics) {
        const existing = merged.get(topic.name);
        if (existing === undefined) {
          merged.set(topic.name, { topic: { ...topic }, file: source.file });
        } else {
          existing.topic.messageCount += topic.messageCount;
        }
      }
    }

    const states = new Map<string, TopicState>();
    for (const { topic, file } of merged.values()) {
      states.set(topic.name, this.resolveTopic(topic, file));
    }
    return states;
  }

  private resolveTopic(topic: SourceTopic, file: string): TopicState {
    const recorded = this.metadata?.topics.get(topic.name);
    const type = fullTypeName(topic.type !== "" ? topic.type : (recorded?.type ?? ""));
    const encoding = topic.messageEncoding !== "" ? topic.messageEncoding : (recorded?.serializationFormat ?? "cdr");
    const info: BagTopic = {
      name: topic.name,
      type,
      encoding,
      qos: topic.qos.length > 0 ? topic.qos : (recorded?.qos ?? []),
      messageCount: topic.messageCount,
      definitionSource: "none",
    };

    if (encoding !== "cdr") {
      this.logger.warn(`${file}: skipping topic ${topic.name} (${type || "unknown type"}): unsupported message encoding ${JSON.stringify(encoding)}; only cdr is supported.`);
      return { info, skipReason: "unsupported message encoding" };
    }
    if (type === "") {
      this.logger.warn(`${file}: skipping topic ${topic.name}: it has no schema and no recorded type, so its messages cannot be decoded.`);
      return { info, skipReason: "missing message definition" };
    }

    const resolved = resolveDefinition(file, topic.name, type, topic.schemaEncoding, topic.schemaData, this.logger);
    info.definitionSource = resolved.source;
    if (resolved.reader === undefined) {
      this.logger.warn(`${file}: skipping topic ${topic.name}: the bag has no definition for ${type} and there is no built-in one.`);
      return { info, skipReason: "missing message definition" };
    }
    return { info, reader: resolved.reader };
  }

  /**
   * Undoes rosbag2 per-message zstd compression. Detection is by magic: a CDR payload
   * starts with a 0x00 encapsulation byte, so it is never mistaken for a zstd frame.
   */
  private payload(message: SourceMessage): Uint8Array | undefined {
    if (!hasZstdMagic(message.data)) {
      return message.data;
    }
    try {
      return decompressZstd(message.data);
    } catch (error) {
      this.countSkipped(message.topic, "corrupt compressed payload");
      this.warnings.warn(
        `payload:${message.topic}`,
        `${this.path}: skipping a message on ${message.topic} logged at ${message.logTimeNs} ns: its zstd payload is corrupt (${describeError(error)}).`,
      );
      return undefined;
    }
  }

  private toBagMessage(message: SourceMessage, data: Uint8Array, type: string, reader: MessageReader): BagMessage {
    const path = this.path;
    return {
      topic: message.topic,
      type,
      logTimeNs: message.logTimeNs,
      publishTimeNs: message.publishTimeNs,
      data,
      decode(): unknown {
        try {
          return reader.readMessage(data);
        } catch (error) {
          const source = `${message.topic} in ${path} (logged at ${message.logTimeNs} ns)`;
          throw new InputError(
            source,
            "data",
            "corrupt_cdr",
            `Cannot deserialize ${type} from ${source}, ${data.byteLength} bytes: ${describeError(error)}.`,
          );
        }
      },
    };
  }

  private countSkipped(topic: string, reason: SkippedMessages["reason"]): void {
    const key = `${topic}\n${reason}`;
    const entry = this.skippedCounts.get(key) ?? { topic, reason, count: 0 };
    entry.count += 1;
    this.skippedCounts.set(key, entry);
  }
}

/** rosbag2 writes only zstd; any other compression format cannot be read. */
function checkCompression(path: string, layout: BagLayout): void {
  const format = layout.metadata?.compressionFormat ?? "";
  const mode = layout.metadata?.compressionMode ?? "";
  if (format !== "" && format !== "zstd" && mode !== "" && mode !== "NONE") {
    throw new BagError(path, `${path} uses unknown rosbag2 compression format ${JSON.stringify(format)} (mode ${mode}); only zstd is supported.`);
  }
}
