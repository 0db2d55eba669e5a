/**
 * One MCAP file as a BagFileSource. Indexed files are read through McapIndexedReader,
 * which yields messages in log-time order even when chunks overlap. Files without a
 * usable summary (a recorder that crashed, a writer that skipped the index) are parsed
 * sequentially, in memory, and sorted. A file cut short yields every complete message and
 * logs one warning with the byte offset where its data ends. A corrupt chunk is skipped
 * with a warning (mcap-recovery.ts) and the file's other chunks are still read.
 */
import { open, readFile, type FileHandle } from "node:fs/promises";

import { FileHandleReadable } from "@mcap/nodejs";

import { BagError, describeError } from "../errors";
import type { Logger } from "../log";
import { mcapDecompressHandlers, MCAP_CHUNK_COMPRESSIONS } from "./compression";
import { hasMcapPrefix, McapIndexedReader, type McapTypes } from "./mcap-core";
import { parseBagMetadata, type BagMetadata } from "./metadata";
import { parseQosProfiles } from "./qos";
import {
  checkChunkTimes,
  CHUNK_OPCODE,
  chunkTimes,
  FOOTER_OPCODE,
  messageKey,
  nextChunkStart,
  readChunksSkippingCorrupt,
  readerKnowing,
  RECORD_PREFIX_BYTES,
  recordEnd,
  summaryDefinitions,
  type SkippedChunk,
} from "./mcap-recovery";
import type { BagFileSource, SourceMessage, SourceTopic } from "./source";

/** Corrupt chunks (and unreadable other records) per file that get a warning each; the rest are only counted. */
const WARNED_CHUNKS = 10;

type Channel = McapTypes.TypedMcapRecords["Channel"];
type Schema = McapTypes.TypedMcapRecords["Schema"];

/** Length of the magic bytes that open (and close) every MCAP file. */
const MCAP_MAGIC_BYTES = 8;
/** Time range of a skipped region whose chunk header cannot be read. */
const NO_TIMES = { startNs: 0n, endNs: 0n };

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
    const contents = options.contents ?? (await readFile(file));
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
      // Messages yielded at lastLogTime, so that a resumed read repeats none of them.
      const seen = new Map<string, number>();
      try {
        for await (const message of reader.readMessages()) {
          if (message.logTime !== lastLogTime) {
            seen.clear();
          }
          const key = messageKey(message);
          seen.set(key, (seen.get(key) ?? 0) + 1);
          lastLogTime = message.logTime;
          yield toSourceMessage(message, reader.channelsById);
        }
        return;
      } catch (error) {
        const where = lastLogTime === undefined ? "before the first message" : `after the message logged at ${lastLogTime} ns`;
        logger.debug(`${file}: the indexed reader stopped ${where} (${describeError(error)}); reading the remaining chunks one by one.`);
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

/** Corrupt chunks of one file: the list the bag reader reports, and a warning for each of the first few. */
class ChunkSkips {
  readonly chunks: SkippedChunk[] = [];

  constructor(private readonly logger: Logger) {}

  add(chunk: SkippedChunk): void {
    this.chunks.push(chunk);
    if (this.chunks.length <= WARNED_CHUNKS) {
      const more = this.chunks.length === WARNED_CHUNKS ? ` Further corrupt chunks of ${chunk.file} are skipped without a warning; the replay summary counts them.` : "";
      this.logger.warn(
        `${chunk.file}: skipping the corrupt chunk at byte ${chunk.offset} (messages logged from ${chunk.startNs} to ${chunk.endNs} ns): ${chunk.reason}.${more}`,
      );
    }
  }
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

function parseEmbeddedMetadata(file: string, metadata: Map<string, string>, logger: Logger): BagMetadata | undefined {
  const text = metadata.get("serialized_metadata");
  if (text === undefined || text === "") {
    return undefined;
  }
  try {
    return parseBagMetadata(text, `${file} (rosbag2 metadata record)`, logger);
  } catch (error) {
    logger.warn(`${file}: ignoring its rosbag2 metadata record: ${describeError(error)}`);
    return undefined;
  }
}

/**
 * Parses every record in order. Returns the messages sorted by log time (stable, so equal
 * times keep file order), because a sequential reader sees them in write order.
 */
function readSequentially(file: string, contents: Uint8Array, logger: Logger): BagFileSource {
  const channels = new Map<number, Channel>();
  const schemas = new Map<number, Schema>();
  const messages: SourceMessage[] = [];
  /** Channel of each entry of `messages`. */
  const channelIds: number[] = [];
  const skipped = new ChunkSkips(logger);
  let embedded: BagMetadata | undefined;

  const take = (record: McapTypes.TypedMcapRecord): void => {
    switch (record.type) {
      case "Schema":
        schemas.set(record.id, record);
        break;
      case "Channel":
        channels.set(record.id, record);
        break;
      case "Message":
        channelIds.push(record.channelId);
        messages.push(toSourceMessage(record, channels));
        break;
      case "Metadata":
        if (record.name === "rosbag2") {
          embedded = parseEmbeddedMetadata(file, record.metadata, logger);
        }
        break;
      default:
        break;
    }
  };

  // Definitions from the summary first: a corrupt first chunk then costs its messages only.
  const summary = summaryDefinitions(contents);
  summary.schemas.forEach((schema) => schemas.set(schema.id, schema));
  summary.channels.forEach((channel) => channels.set(channel.id, channel));

  // One record at a time, so that an error names its record and the reader can go on
  // after it: a corrupt chunk costs its own messages only.
  let stream = readerKnowing(schemas.values(), channels.values());
  let unreadable = 0;
  let offset = MCAP_MAGIC_BYTES;
  let complete = false;
  while (offset + RECORD_PREFIX_BYTES <= contents.length) {
    const opcode = contents[offset];
    const end = recordEnd(contents, offset);
    if (end === undefined) {
      // The file is cut short here, or this record's opcode or length is damaged: in that
      // case reading goes on at the next well-formed chunk.
      const next = nextChunkStart(contents, offset + 1);
      if (next === undefined) {
        break;
      }
      skipped.add({ file, offset: BigInt(offset), ...(chunkTimes(contents.subarray(offset, next)) ?? NO_TIMES), reason: "its record length or opcode is damaged" });
      stream = readerKnowing(schemas.values(), channels.values());
      offset = next;
      continue;
    }
    const footer = opcode === FOOTER_OPCODE;
    // The footer is followed by the closing magic bytes, which the reader checks.
    const record = contents.subarray(offset, footer ? contents.length : end);
    const firstMessage = messages.length;
    try {
      stream.append(record);
      for (let next = stream.nextRecord(); next !== undefined; next = stream.nextRecord()) {
        take(next);
      }
      if (opcode === CHUNK_OPCODE) {
        checkChunkTimes(record, messages.slice(firstMessage).map((message) => message.logTimeNs));
      }
    } catch (error) {
      const text = describeError(error);
      const compression = /Unsupported compression (\S+)/.exec(text);
      if (compression !== null) {
        throw unknownCompression(file, compression[1], BigInt(offset));
      }
      if (footer) {
        logger.warn(`${file}: its footer or closing magic bytes at byte ${offset} are damaged (${text}); every record before them was read.`);
        complete = true;
        break;
      }
      // Messages of the chunk decoded before the failure go too: the chunk's data is not trusted.
      messages.length = firstMessage;
      channelIds.length = firstMessage;
      if (opcode === CHUNK_OPCODE) {
        skipped.add({ file, offset: BigInt(offset), ...(chunkTimes(record) ?? NO_TIMES), reason: text });
      } else {
        unreadable += 1;
        if (unreadable <= WARNED_CHUNKS) {
          logger.warn(`${file}: skipping the unreadable record at byte ${offset} (opcode ${opcode}): ${text}.`);
        }
      }
      stream = readerKnowing(schemas.values(), channels.values());
    }
    if (footer) {
      complete = stream.done();
      offset = contents.length - stream.bytesRemaining();
      break;
    }
    offset = end;
  }

  const truncated = !complete;
  if (truncated) {
    logger.warn(
      `${file} is cut short: its complete records end at byte ${offset} of ${contents.length} and it has no MCAP footer; ` +
        `replaying the ${messages.length} complete messages before that point.`,
    );
  }

  const counts = new Map<number, bigint>();
  for (const id of channelIds) {
    counts.set(id, (counts.get(id) ?? 0n) + 1n);
  }
  messages.sort(compareLogTime);
  const topics = collectTopics(file, channels, schemas, counts, embedded, logger);
  return {
    file,
    topics,
    truncated,
    skippedChunks: skipped.chunks,
    async *messages(): AsyncGenerator<SourceMessage> {
      yield* messages;
    },
    async close(): Promise<void> {
      messages.length = 0;
    },
  };
}

function compareLogTime(a: SourceMessage, b: SourceMessage): number {
  if (a.logTimeNs === b.logTimeNs) {
    return 0;
  }
  return a.logTimeNs < b.logTimeNs ? -1 : 1;
}

function toSourceMessage(message: McapTypes.TypedMcapRecords["Message"], channels: ReadonlyMap<number, Channel>): SourceMessage {
  return {
    topic: channels.get(message.channelId)?.topic ?? `<channel ${message.channelId}>`,
    logTimeNs: message.logTime,
    publishTimeNs: message.publishTime,
    data: message.data,
  };
}

/**
 * Builds one entry per topic. The type comes from the schema name or, for channels with
 * schema id 0, from the embedded rosbag2 metadata record. The QoS comes from the channel's
 * `offered_qos_profiles` metadata, else from the rosbag2 record.
 */
function collectTopics(
  file: string,
  channels: ReadonlyMap<number, Channel>,
  schemas: ReadonlyMap<number, Schema>,
  counts: ReadonlyMap<number, bigint>,
  embedded: BagMetadata | undefined,
  logger: Logger,
): SourceTopic[] {
  const topics = new Map<string, SourceTopic>();
  for (const channel of channels.values()) {
    const count = Number(counts.get(channel.id) ?? 0n);
    const existing = topics.get(channel.topic);
    if (existing !== undefined) {
      existing.messageCount += count;
      continue;
    }

    const schema = channel.schemaId === 0 ? undefined : schemas.get(channel.schemaId);
    const recorded = embedded?.topics.get(channel.topic);
    topics.set(channel.topic, {
      name: channel.topic,
      type: schema?.name ?? recorded?.type ?? "",
      messageEncoding: channel.messageEncoding,
      schemaEncoding: schema?.encoding ?? "",
      schemaData: schema?.data ?? new Uint8Array(0),
      qos: channelQos(file, channel, logger) ?? recorded?.qos ?? [],
      messageCount: count,
    });
  }
  return [...topics.values()];
}

function channelQos(file: string, channel: Channel, logger: Logger): SourceTopic["qos"] | undefined {
  const text = channel.metadata.get("offered_qos_profiles");
  if (text === undefined) {
    return undefined;
  }
  try {
    return parseQosProfiles(text);
  } catch (error) {
    logger.warn(`${file}: topic ${channel.topic} has unreadable QoS metadata, so its QoS is left empty: ${describeError(error)}.`);
    return [];
  }
}

function unknownCompression(file: string, compression: string, offset: bigint): BagError {
  return new BagError(
    file,
    `${file} uses unknown chunk compression ${JSON.stringify(compression)} (chunk at byte ${offset}); ` +
      `supported: none, zstd, lz4.`,
  );
}
