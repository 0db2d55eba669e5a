/**
 * Sequential reading of an MCAP file held in memory, for files without a usable summary
 * or index (a recorder that crashed, rosbag2's fastwrite preset). Records are parsed in
 * file order and the messages sorted by log time. A file cut short yields every complete
 * message, and a damaged chunk or record costs only its own messages.
 */
import { describeError } from "../errors";
import type { Logger } from "../log";
import type { McapTypes } from "./mcap-core";
import type { BagMetadata } from "./metadata";
import { ChunkSkips, collectTopics, parseEmbeddedMetadata, toSourceMessage, unknownCompression, WARNED_CHUNKS } from "./mcap-records";
import {
  checkChunkTimes,
  CHUNK_OPCODE,
  completeRecordsOfCutChunk,
  chunkTimes,
  FOOTER_OPCODE,
  nextChunkStart,
  readerKnowing,
  RECORD_PREFIX_BYTES,
  recordEnd,
  summaryDefinitions,
  withoutLibraryTag,
} from "./mcap-recovery";
import type { BagFileSource, SourceMessage } from "./source";

type Channel = McapTypes.TypedMcapRecords["Channel"];
type Schema = McapTypes.TypedMcapRecords["Schema"];

/** Length of the magic bytes that open (and close) every MCAP file. */
const MCAP_MAGIC_BYTES = 8;
/** Time range of a skipped region whose chunk header cannot be read. */
const NO_TIMES = { startNs: 0n, endNs: 0n };

/**
 * Parses every record in order. Returns the messages sorted by log time (stable, so equal
 * times keep file order), because a sequential reader sees them in write order.
 */
export function readSequentially(file: string, contents: Uint8Array, logger: Logger): BagFileSource {
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

  /** Reads the whole messages of an uncompressed chunk that the file cuts short at `offset`. */
  const salvageCutChunk = (offset: number): void => {
    const records = completeRecordsOfCutChunk(contents, offset);
    if (records === undefined) {
      return;
    }
    const firstMessage = messages.length;
    try {
      const reader = readerKnowing(schemas.values(), channels.values());
      reader.append(records);
      for (let next = reader.nextRecord(); next !== undefined; next = reader.nextRecord()) {
        take(next);
      }
      checkChunkTimes(contents.subarray(offset), messages.slice(firstMessage).map((message) => message.logTimeNs));
      logger.warn(`${file}: read ${messages.length - firstMessage} whole messages from the uncompressed chunk at byte ${offset}, which the file cuts short.`);
    } catch (error) {
      messages.length = firstMessage;
      channelIds.length = firstMessage;
      logger.warn(`${file}: the chunk at byte ${offset}, which the file cuts short, is unreadable: ${withoutLibraryTag(describeError(error))}.`);
    }
  };

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
        salvageCutChunk(offset);
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
      const text = withoutLibraryTag(describeError(error));
      const compression = /Unsupported compression (\S+)/.exec(text);
      if (compression !== null) {
        throw unknownCompression(file, compression[1], BigInt(offset));
      }
      if (footer) {
        logger.warn(`${file}: its footer or closing magic bytes at byte ${offset} are damaged (${text}); every record before them was read, so only tools that need the footer are affected.`);
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
          logger.warn(`${file}: skipping the unreadable record at byte ${offset} (opcode ${opcode}): ${text}. The records after it are read.`);
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
