/** Temporary folders and small bags written with the project's own writer, for bag tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import type { BagMessage, BagReader } from "../../src/bag";
import { McapBagWriter, type ChunkCompression } from "../../src/bag";
import { MIN_GROUNDING_SIDE } from "../../src/image/encodings";
import type { Logger } from "../../src/log";
import { serializeMessage, type Image } from "../../src/msgs";

/** Repository root; this file runs from dist/test/bag. */
export const REPO_ROOT = resolve(__dirname, "../../..");
export { REAL_BAGS } from "../real-bags-dir";

/** Creates a temporary folder; call the returned function in `after` to remove it. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `softskip-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that keeps every line, so tests can assert on warnings. */
export class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string }[] = [];

  debug(message: string): void {
    this.lines.push({ level: "debug", message });
  }

  info(message: string): void {
    this.lines.push({ level: "info", message });
  }

  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }

  error(message: string): void {
    this.lines.push({ level: "error", message });
  }

  warnings(): string[] {
    return this.lines.filter((line) => line.level === "warn").map((line) => line.message);
  }
}

/**
 * Builds a `width` x `height` mono8 image whose pixels all equal `value`, stamped `sec`.
 * Frames that a replay grounds need at least MIN_GROUNDING_SIDE pixels per side.
 */
export function monoImage(sec: number, value = 128, width = 4, height = 3): Image {
  return {
    header: { stamp: { sec, nanosec: 0 }, frame_id: "camera" },
    height,
    width,
    encoding: "mono8",
    is_bigendian: 0,
    step: width,
    data: new Uint8Array(width * height).fill(value),
  };
}

export interface SampleBagOptions {
  compression?: ChunkCompression;
  /** Number of image frames, one per second from second 100; default 5. */
  frames?: number;
  /** Transcripts to add as [seconds, text]. */
  transcripts?: [number, string][];
  chunkSize?: number;
}

export const SECOND_NS = 1_000_000_000n;

/** Writes an MCAP bag with /camera/image_raw frames and optional /transcript messages. */
export async function writeSampleBag(path: string, options: SampleBagOptions = {}): Promise<void> {
  const writer = await McapBagWriter.create(path, { compression: options.compression ?? "zstd", chunkSize: options.chunkSize });
  await writer.addTopic({ name: "/camera/image_raw", type: "sensor_msgs/msg/Image" });
  await writer.addTopic({ name: "/transcript", type: "std_msgs/msg/String" });
  for (const [seconds, text] of options.transcripts ?? []) {
    await writer.write("/transcript", BigInt(Math.round(seconds * 1e9)), serializeMessage("std_msgs/msg/String", { data: text }));
  }
  for (let index = 0; index < (options.frames ?? 5); index += 1) {
    const sec = 100 + index;
    await writer.write("/camera/image_raw", BigInt(sec) * SECOND_NS, serializeMessage("sensor_msgs/msg/Image", monoImage(sec, index, MIN_GROUNDING_SIDE, MIN_GROUNDING_SIDE)));
  }
  await writer.close();
}

/** Reads every message of a bag into memory. */
export async function readAll(bag: BagReader): Promise<BagMessage[]> {
  const messages: BagMessage[] = [];
  for await (const message of bag.messages()) {
    messages.push(message);
  }
  return messages;
}

/** Byte ranges [start, end) of the chunk records of an MCAP file's data section, in file order. */
export function chunkRecords(bytes: Buffer): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  // Records after the 8 magic bytes: opcode (1 byte), length (uint64), body; 0x02 is the footer.
  for (let offset = 8; bytes[offset] !== 0x02; offset += 9 + Number(bytes.readBigUInt64LE(offset + 1))) {
    if (bytes[offset] === 0x06) {
      chunks.push([offset, offset + 9 + Number(bytes.readBigUInt64LE(offset + 1))]);
    }
  }
  return chunks;
}
