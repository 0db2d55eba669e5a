/**
 * Per-file view that each storage backend (MCAP, sqlite3) provides, before type
 * resolution, per-message decompression and merging across split files.
 */
import type { SkippedChunk } from "./mcap-recovery";
import type { QosProfile } from "./types";

export interface SourceTopic {
  name: string;
  /** Type name as stored: a schema name or a metadata type, with or without `/msg/`. */
  type: string;
  messageEncoding: string;
  /** "ros2msg", "ros2idl", "" or "unknown"; "" and "unknown" mean no definition was stored. */
  schemaEncoding: string;
  schemaData: Uint8Array;
  qos: QosProfile[];
  messageCount: number;
}

export interface SourceMessage {
  topic: string;
  logTimeNs: bigint;
  publishTimeNs: bigint;
  data: Uint8Array;
}

export interface BagFileSource {
  readonly file: string;
  readonly topics: readonly SourceTopic[];
  /**
   * True when the file ends inside a record, as a bag still being recorded does. Its
   * complete messages before that point are still yielded.
   */
  readonly truncated?: boolean;
  /** Corrupt chunks whose messages were not yielded; filled while `messages()` runs when the file is indexed. */
  readonly skippedChunks?: readonly SkippedChunk[];
  /** Yields the file's messages in log-time order. */
  messages(): AsyncIterable<SourceMessage>;
  close(): Promise<void>;
}

export const NO_SCHEMA_ENCODINGS = ["", "unknown"];
