/** Identifies bag files by their magic bytes rather than their names. */
import { open } from "node:fs/promises";

import { BagError, describeError } from "../errors";

export type BagFileKind = "mcap" | "sqlite3" | "zstd";

const MCAP_MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50]; // "\x89MCAP"; a version digit follows
const SQLITE_MAGIC = [...Buffer.from("SQLite format 3\0", "latin1")];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(data: Uint8Array, magic: number[]): boolean {
  return data.length >= magic.length && magic.every((byte, index) => data[index] === byte);
}

/**
 * Returns the kind of `file` from its first 16 bytes, or of `contents` when given.
 * Throws BagError naming the file for any other content.
 */
export function sniffFileKind(file: string, contents: Uint8Array): BagFileKind;
export function sniffFileKind(file: string): Promise<BagFileKind>;
export function sniffFileKind(file: string, contents?: Uint8Array): BagFileKind | Promise<BagFileKind> {
  if (contents !== undefined) {
    return kindOf(file, contents);
  }
  return readPrefix(file).then((prefix) => kindOf(file, prefix));
}

function kindOf(file: string, prefix: Uint8Array): BagFileKind {
  if (startsWith(prefix, MCAP_MAGIC)) {
    return "mcap";
  }
  if (startsWith(prefix, SQLITE_MAGIC)) {
    return "sqlite3";
  }
  if (startsWith(prefix, ZSTD_MAGIC)) {
    return "zstd";
  }
  const prefixHex = Buffer.from(prefix.subarray(0, 8)).toString("hex");
  throw new BagError(file, `${file} is not a bag file: it starts with bytes ${prefixHex || "(none, the file is empty)"}, which are neither MCAP, sqlite3 nor zstd.`);
}

async function readPrefix(file: string): Promise<Uint8Array> {
  try {
    const handle = await open(file, "r");
    try {
      const buffer = new Uint8Array(16);
      const { bytesRead } = await handle.read(buffer, 0, 16, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new BagError(file, `Cannot read bag file ${file}: ${describeError(error)}.`, { cause: error });
  }
}
