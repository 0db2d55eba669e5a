/**
 * One MCAP file as a BagFileSource. Indexed files are read through McapIndexedReader,
 * which yields messages in log-time order even when chunks overlap. Files without a
 * usable summary (a recorder that crashed, a writer that skipped the index) are parsed
 * sequentially (mcap-sequential.ts). A corrupt chunk is skipped with a warning
 * (mcap-recovery.ts) and the file's other chunks are still read.
 */
import { open, type FileHandle } from "node:fs/promises";

import { FileHandleReadable } from "@mcap/nodejs";

import { BagError, describeError } from "../errors";
import type { Logger } from "../log";
import { mcapDecompressHandlers, MCAP_CHUNK_COMPRESSIONS } from "./compression";
import { hasMcapPrefix, McapIndexedReader, type McapTypes } from "./mcap-core";
import { ChunkSkips, collectTopics, parseEmbeddedMetadata, toSourceMessage, unknownCompression } from "./mcap-records";
import { messageKey, readChunksSkippingCorrupt } from "./mcap-recovery";
import { readSequentially } from "./mcap-sequential";
import type { BagMetadata } from "./metadata";
import type { BagFileSource, SourceMessage } from "./source";
import { readWholeBagFile, type WholeFileReason } from "./whole-file";

const UNINDEXED_TOO_LARGE: WholeFileReason = {
  why: "it has no usable MCAP index, so it is read into memory in order",
  fix: (file) => `Rebuild its index with the mcap command line tool (mcap recover ${file} -o FIXED.mcap) and replay FIXED.mcap`,
};

/** An in-memory IReadable, for files decompressed from rosbag2 FILE-mode `.mcap.zstd`. */
class BufferReadable implements McapTypes.IReadable {
  constructor(private readonly buffer: Uint8Array) {}

  async size(): Promise<bigint> {
    return BigInt(this.buffer.length);
  }

  async read(offset: bigint, length: bigint): Promise<Uint8Array> {
    return this.buffer.subarray(Number(offset), Number(offset + length));
  }
}

export interface McapFileOptions {
  logger: Logger;
  /** File contents already in memory (decompressed FILE-mode bags); read from disk when absent. */
  contents?: Uint8Array;
}

/** Opens `file` as MCAP; throws BagError when it is not MCAP or its data is corrupt. */
export async function openMcapFile(file: string, options: McapFileOptions): Promise<BagFileSource> {
  let handle: FileHandle | undefined;
  let readable: McapTypes.IReadable;
  if (options.contents !== undefined) {
    readable = new BufferReadable(options.contents);
  } else {
    try {
      handle = await open(file, "r");
    } catch (error) {
      throw new BagError(file, `Cannot open bag file ${file}: ${describeError(error)}.`, { cause: error });
    }
    readable = new FileHandleReadable(handle);
  }

  try {
    await checkMagic(file, readable);
    return await openIndexed(file, readable, handle, options.logger);
  } catch (error) {
    await handle?.close();
    if (error instanceof BagError) {
      throw error;
    }
    // No usable summary: read the whole data section in order instead.
    options.logger.debug(`${file} has no usable MCAP index (${describeError(error)}); reading it sequentially.`);
    const contents = options.contents ?? (await readWholeBagFile(file, UNINDEXED_TOO_LARGE));
    return readSequentially(file, contents, options.logger);
  }
}

async function checkMagic(file: string, readable: McapTypes.IReadable): Promise<void> {
  const size = await readable.size();
  const prefix = await readable.read(0n, size < 8n ? size : 8n);
  if (!hasMcapPrefix(new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength))) {
    throw new BagError(file, `${file} is not an MCAP file: it does not start with the MCAP magic bytes.`);
  }
}

async function openIndexed(
  file: string,
  readable: McapTypes.IReadable,
  handle: FileHandle | undefined,
  logger: Logger,
): Promise<BagFileSource> {
  const reader = await McapIndexedReader.Initialize({ readable, decompressHandlers: mcapDecompressHandlers() });
  // rosbag2's fastwrite preset writes no chunks, and other options drop the chunk or
  // message indexes. The indexed reader then yields no messages or fails on the first
  // one, so such files are read in order, like files without a summary.
  const chunked = reader.chunkIndexes.length > 0 && reader.chunkIndexes.every((chunk) => chunk.messageIndexOffsets.size > 0);
  const hasMessages = reader.statistics === undefined || reader.statistics.messageCount > 0n;
  if (!chunked && hasMessages) {
    throw new Error("the summary indexes no chunks with message indexes");
  }

  for (const chunk of reader.chunkIndexes) {
    if (!(MCAP_CHUNK_COMPRESSIONS as readonly string[]).includes(chunk.compression)) {
      throw unknownCompression(file, chunk.compression, chunk.chunkStartOffset);
    }
  }

  const embedded = await readEmbeddedMetadata(file, reader, logger);
  // rosbag2 and McapWriter write a Statistics record; only other writers cost a counting pass.
  const counts = reader.statistics?.channelMessageCounts ?? (await countMessages(file, reader, readable));
  const topics = collectTopics(file, reader.channelsById, reader.schemasById, counts, embedded, logger);
  const skipped = new ChunkSkips(logger);

  return {
    file,
    topics,
    skippedChunks: skipped.chunks,
    async *messages(): AsyncGenerator<SourceMessage> {
      skipped.chunks.length = 0;
      let lastLogTime: bigint | undefined;
      // Messages yielded at lastLogTime, so that a resumed read repeats none of them. Their
      // keys are built only if the read fails, which keeps the normal path cheap.
      const atLastLogTime: McapTypes.TypedMcapRecords["Message"][] = [];
      try {
        for await (const message of reader.readMessages()) {
          if (message.logTime !== lastLogTime) {
            atLastLogTime.length = 0;
          }
          atLastLogTime.push(message);
          lastLogTime = message.logTime;
          yield toSourceMessage(message, reader.channelsById);
        }
        return;
      } catch (error) {
        const where = lastLogTime === undefined ? "before the first message" : `after the message logged at ${lastLogTime} ns`;
        logger.debug(`${file}: the indexed reader stopped ${where} (${describeError(error)}); reading the remaining chunks one by one.`);
      }
      const seen = new Map<string, number>();
      for (const message of atLastLogTime) {
        const key = messageKey(message);
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      const remaining = readChunksSkippingCorrupt({
        file,
        readable,
        chunkIndexes: reader.chunkIndexes,
        schemas: reader.schemasById,
        channels: reader.channelsById,
        ...(lastLogTime === undefined ? {} : { resume: { logTimeNs: lastLogTime, seen } }),
        onSkip: (chunk) => skipped.add(chunk),
      });
      for await (const message of remaining) {
        yield toSourceMessage(message, reader.channelsById);
      }
    },
    async close(): Promise<void> {
      await handle?.close();
    },
  };
}

/** Counts each channel's messages by reading every chunk; corrupt chunks are left to the read that follows. */
async function countMessages(file: string, reader: McapIndexedReader, readable: McapTypes.IReadable): Promise<Map<number, bigint>> {
  const counts = new Map<number, bigint>();
  const messages = readChunksSkippingCorrupt({
    file,
    readable,
    chunkIndexes: reader.chunkIndexes,
    schemas: reader.schemasById,
    channels: reader.channelsById,
    onSkip: () => undefined,
  });
  for await (const message of messages) {
    counts.set(message.channelId, (counts.get(message.channelId) ?? 0n) + 1n);
  }
  return counts;
}

async function readEmbeddedMetadata(file: string, reader: McapIndexedReader, logger: Logger): Promise<BagMetadata | undefined> {
  try {
    for await (const record of reader.readMetadata({ name: "rosbag2" })) {
      return parseEmbeddedMetadata(file, record.metadata, logger);
    }
  } catch (error) {
    logger.warn(`${file}: ignoring its rosbag2 metadata record: ${describeError(error)}`);
  }
  return undefined;
}
