/**
 * Compression codecs for MCAP chunks, rosbag2 per-message compression and rosbag2
 * file compression. Decompression uses pure JavaScript (fzstd, lz4js), so reading needs
 * no WebAssembly setup. The writer's zstd compression uses @foxglove/wasm-zstd, because
 * the zlib of Node 20 has no zstd.
 */
import { decompress as zstdDecompress } from "fzstd";
import { decompress as lz4Decompress } from "lz4js";

import { describeError } from "../errors";

/** Chunk compressions an MCAP file may name; "" means stored uncompressed. */
export const MCAP_CHUNK_COMPRESSIONS = ["", "zstd", "lz4"] as const;

/** First four bytes of every zstd frame (magic number 0xFD2FB528, little-endian). */
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Checks whether `data` starts with a zstd frame header. */
export function hasZstdMagic(data: Uint8Array): boolean {
  return data.length >= 4 && ZSTD_MAGIC.every((byte, index) => data[index] === byte);
}

/**
 * Decompresses zstd data. `expectedSize`, when known (MCAP chunk records store it), is
 * checked so a truncated frame fails here rather than later as a confusing CDR error.
 */
export function decompressZstd(data: Uint8Array, expectedSize?: number): Uint8Array {
  let output: Uint8Array;
  try {
    output = expectedSize === undefined ? zstdDecompress(data) : zstdDecompress(data, new Uint8Array(expectedSize));
  } catch (error) {
    // A RangeError is an allocation too large for one buffer, which callers report as size.
    if (error instanceof RangeError) {
      throw error;
    }
    throw new Error(`zstd decompression failed: ${describeError(error)}`);
  }
  if (expectedSize !== undefined && output.length !== expectedSize) {
    throw new Error(`zstd data decompressed to ${output.length} bytes, expected ${expectedSize}`);
  }
  return output;
}

/**
 * Decompresses one LZ4 frame (the format MCAP requires for "lz4" chunks; raw LZ4 blocks
 * lack the frame magic and are rejected).
 */
export function decompressLz4Frame(data: Uint8Array, expectedSize: number): Uint8Array {
  let output: Uint8Array;
  try {
    output = lz4Decompress(data, expectedSize);
  } catch (error) {
    throw new Error(`LZ4 frame decompression failed: ${describeError(error)}`);
  }
  if (output.length !== expectedSize) {
    throw new Error(`LZ4 frame decompressed to ${output.length} bytes, expected ${expectedSize}`);
  }
  return output;
}

/** Handlers in the shape @mcap/core's readers take, keyed by chunk compression name. */
export function mcapDecompressHandlers(): Record<string, (data: Uint8Array, size: bigint) => Uint8Array> {
  return {
    zstd: (data, size) => decompressZstd(data, Number(size)),
    lz4: (data, size) => decompressLz4Frame(data, Number(size)),
  };
}

let zstdEncoder: typeof import("@foxglove/wasm-zstd") | undefined;

/** Loads the WebAssembly zstd encoder once; call before `compressZstd`. */
export async function loadZstdEncoder(): Promise<void> {
  if (zstdEncoder !== undefined) {
    return;
  }
  const module = await import("@foxglove/wasm-zstd");
  await module.isLoaded;
  zstdEncoder = module;
}

/** Compresses with zstd at `level` (1..19); `loadZstdEncoder` must have resolved first. */
export function compressZstd(data: Uint8Array, level = 3): Uint8Array {
  if (zstdEncoder === undefined) {
    throw new Error("compressZstd called before loadZstdEncoder resolved");
  }
  return zstdEncoder.compress(data, level);
}
