/**
 * Public contract of the bag reader and writer. Replay and tests depend on these types;
 * the MCAP and sqlite3 storage details stay inside src/bag.
 */
import type { SkippedChunk } from "./mcap-recovery";
import type { Logger } from "../log";

/** QoS policy values as rosbag2 stores them, normalised to ROS 2's lower-case names. */
export interface QosProfile {
  history: "keep_last" | "keep_all" | "system_default" | "unknown";
  depth: number;
  reliability: "reliable" | "best_effort" | "system_default" | "unknown";
  durability: "volatile" | "transient_local" | "system_default" | "unknown";
}

export interface BagTopic {
  name: string;
  /** Type name in the `pkg/msg/Type` form, whatever spelling the bag used. */
  type: string;
  /** Message encoding; only "cdr" topics are read, others are listed but skipped. */
  encoding: string;
  /** Offered QoS profiles of the recorded publishers; empty when the bag stores none. */
  qos: QosProfile[];
  /** Messages stored for this topic across all bag files that exist. */
  messageCount: number;
  /** Origin of the message definition; "none" topics are listed but skipped. */
  definitionSource: "bag" | "builtin" | "none";
}

export interface BagMessage {
  topic: string;
  type: string;
  /** Time the recorder received the message, in ns since the epoch (or since bag start). */
  logTimeNs: bigint;
  /** Time the publisher sent it, in ns; equal to logTimeNs when the storage has no separate value. */
  publishTimeNs: bigint;
  /** Serialized CDR bytes, already decompressed when the bag used per-message compression. */
  data: Uint8Array;
  /** Deserializes `data`; throws InputError for bytes that do not match the definition. */
  decode(): unknown;
}

export interface OpenBagOptions {
  /** Receives warnings about missing split parts, skipped topics and truncated files. */
  logger?: Logger;
}

/** Counts of messages that the reader did not yield, per topic and reason. */
export interface SkippedMessages {
  topic: string;
  reason: "unsupported message encoding" | "missing message definition" | "corrupt compressed payload";
  count: number;
}

/** A storage-agnostic view of one bag: its topics and its messages in log-time order. */
export interface BagReader {
  /** Path that was opened (file or rosbag2 folder). */
  readonly path: string;
  /** "mcap" or "sqlite3". */
  readonly storage: "mcap" | "sqlite3";
  readonly topics: readonly BagTopic[];
  /** Messages in the bag files that exist, including those of skipped topics. */
  readonly messageCount: number;
  /** Bag files named by metadata.yaml that are not on disk. */
  readonly missingFiles: readonly string[];
  /** Bag files that end inside a record (still being written, or cut short); their complete messages are read. */
  readonly truncatedFiles: readonly string[];
  /** Corrupt chunks whose messages were skipped; complete once an iteration of `messages()` has ended. */
  readonly skippedChunks: readonly SkippedChunk[];
  /** Messages the last iteration did not yield because their topic cannot be read. */
  skipped(): SkippedMessages[];
  /** Yields every readable message in log-time order, across all bag files. */
  messages(): AsyncIterable<BagMessage>;
  /** Same as `messages()`, so `for await (const message of bag)` works. */
  [Symbol.asyncIterator](): AsyncIterator<BagMessage>;
  close(): Promise<void>;
}
