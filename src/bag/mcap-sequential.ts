/**
 * Sequential reading of an MCAP file held in memory, for files without a usable summary
 * or index (a recorder that crashed, rosbag2's fastwrite preset). Records are parsed in
 * file order and the messages sorted by log time. A file cut short yields every complete
 * message, and a damaged chunk or record costs only its own messages.
 */
import { describeError } from "../errors";
import type { Logger } from "../log";
import { MCAP_CHUNK_COMPRESSIONS } from "./compression";
import type { McapStreamReader, McapTypes } from "./mcap-core";
import { CHUNK_OPCODE, FOOTER_OPCODE, MAGIC_BYTES, McapFraming } from "./mcap-framing";
import { ChunkSkips, collectTopics, parseEmbeddedMetadata, toSourceMessage, unknownCompression, WARNED_CHUNKS } from "./mcap-records";
import { checkChunkTimes, chunkTimes, compareBigints, readerKnowing, withoutLibraryTag } from "./mcap-recovery";
import type { BagMetadata } from "./metadata";
import type { BagFileSource, SourceMessage } from "./source";

type Channel = McapTypes.TypedMcapRecords["Channel"];
type Schema = McapTypes.TypedMcapRecords["Schema"];

/**
 * Parses every record in order. Returns the messages sorted by log time (stable, so equal
 * times keep file order), because a sequential reader sees them in write order.
 */
export function readSequentially(file: string, contents: Uint8Array, logger: Logger): BagFileSource {
  const reader = new SequentialReader(file, contents, logger);
  reader.readAll();

  const truncated = !reader.complete;
  if (truncated) {
    logger.warn(
      `${file} is cut short: its complete records end at byte ${reader.offset} of ${contents.length} and it has no MCAP footer; ` +
        `replaying the ${reader.messages.length} complete messages before that point.`,
    );
  }
  const counts = new Map<number, bigint>();
  for (const id of reader.channelIds) {
    counts.set(id, (counts.get(id) ?? 0n) + 1n);
  }
  const messages = reader.messages.sort((a, b) => compareBigints(a.logTimeNs, b.logTimeNs));
  const topics = collectTopics(file, reader.channels, reader.schemas, counts, reader.embedded, logger);
  return {
    file,
    topics,
    truncated,
    skippedChunks: reader.skipped.chunks,
    async *messages(): AsyncGenerator<SourceMessage> {
      yield* messages;
    },
    async close(): Promise<void> {
      messages.length = 0;
    },
  };
}

class SequentialReader {
  readonly channels = new Map<number, Channel>();
  readonly schemas = new Map<number, Schema>();
  readonly messages: SourceMessage[] = [];
  /** Channel of each entry of `messages`. */
  readonly channelIds: number[] = [];
  readonly skipped: ChunkSkips;
  embedded: BagMetadata | undefined;
  /** Byte offset where reading stopped: the end of the last complete record when the file is cut short. */
  offset = MAGIC_BYTES;
  /** Whether the footer was reached. */
  complete = false;

  private readonly framing: McapFraming;
  private stream: McapStreamReader;
  /** End of the damaged bytes skipped last, so that adjacent ones are reported as one region. */
  private damagedUntil = -1;
  private unreadable = 0;
  /** Chunks skipped because their compression is not supported, and the first such name. */
  private unsupported: { count: number; name: string; offset: number } | undefined;

  constructor(
    private readonly file: string,
    private readonly contents: Uint8Array,
    private readonly logger: Logger,
  ) {
    this.skipped = new ChunkSkips(logger);
    this.framing = new McapFraming(contents);
    // Definitions from the summary first: a corrupt first chunk then costs its messages only.
    const summary = this.framing.summaryDefinitions();
    summary.schemas.forEach((schema) => this.schemas.set(schema.id, schema));
    summary.channels.forEach((channel) => this.channels.set(channel.id, channel));
    this.stream = this.freshStream();
  }

  /**
   * Reads one record at a time, so that an error names its record and reading goes on
   * after it: a corrupt chunk costs its own messages only.
   */
  readAll(): void {
    this.readRecords();
    if (this.unreadable > WARNED_CHUNKS) {
      this.logger.warn(`${this.file}: ${this.unreadable} unreadable records other than chunks were skipped in all.`);
    }
    // Every chunk in a compression this reader lacks: the file as a whole cannot be read.
    if (this.unsupported !== undefined && this.messages.length === 0) {
      throw unknownCompression(this.file, this.unsupported.name, BigInt(this.unsupported.offset));
    }
  }

  private readRecords(): void {
    const { contents, framing } = this;
    while (this.offset < contents.length) {
      const offset = this.offset;
      if (offset === framing.footerAt) {
        this.readFooter();
        return;
      }
      const end = framing.recordEnd(offset);
      const opcode = contents[offset];
      if (end === undefined || opcode === FOOTER_OPCODE || (opcode === CHUNK_OPCODE && !framing.chunkShaped(offset, end))) {
        if (!this.skipDamagedFraming(offset)) {
          return;
        }
        continue;
      }
      if (opcode !== CHUNK_OPCODE && framing.chunkShaped(offset, end)) {
        // A chunk whose opcode byte is damaged would otherwise pass as another record.
        this.skipChunk(offset, contents.subarray(offset, end), "its opcode is damaged");
      } else {
        this.readRecord(offset, end);
      }
      this.offset = end;
    }
  }

  private readRecord(offset: number, end: number): void {
    const record = this.contents.subarray(offset, end);
    const isChunk = this.contents[offset] === CHUNK_OPCODE;
    const firstMessage = this.messages.length;
    try {
      this.stream.append(record);
      this.drain(this.stream);
      if (isChunk) {
        checkChunkTimes(record, this.messages.slice(firstMessage).map((message) => message.logTimeNs));
      }
    } catch (error) {
      // Messages of the chunk decoded before the failure go too: the chunk's data is not trusted.
      this.messages.length = firstMessage;
      this.channelIds.length = firstMessage;
      this.stream = this.freshStream();
      const text = withoutLibraryTag(describeError(error));
      const compression = /Unsupported compression (\S+)/.exec(text);
      if (compression !== null) {
        this.unsupported ??= { count: 0, name: compression[1], offset };
        this.unsupported.count += 1;
        this.skipChunk(offset, record, `its compression ${compression[1]} is not supported (supported: ${MCAP_CHUNK_COMPRESSIONS.map((name) => name || "none").join(", ")})`);
      } else if (isChunk) {
        this.skipChunk(offset, record, text);
      } else {
        this.unreadable += 1;
        if (this.unreadable <= WARNED_CHUNKS) {
          this.logger.warn(`${this.file}: skipping the unreadable record at byte ${offset} (opcode ${this.contents[offset]}): ${text}. The records after it are read.`);
        }
      }
    }
  }

  /**
   * Goes on after bytes whose record boundaries are lost: at the next chunk record, or at
   * the summary when the footer is intact. Returns false when the file ends first, as a
   * file cut short by a recorder that stopped does.
   */
  private skipDamagedFraming(offset: number): boolean {
    const framing = this.framing;
    const next = framing.nextChunkStart(offset + 1) ?? framing.summaryStart();
    if (next === undefined) {
      const cut = framing.completeRecordsOfCutChunk(offset);
      if (cut !== undefined) {
        this.readCutChunk(offset, cut);
      }
      return false;
    }
    if (offset !== this.damagedUntil) {
      const header = this.contents[offset] === CHUNK_OPCODE ? chunkTimes(this.contents.subarray(offset, next)) : undefined;
      this.skipped.add({ file: this.file, offset: BigInt(offset), ...header, reason: `bytes ${offset} to ${next} have damaged record framing, so any messages in them are lost` });
    }
    this.damagedUntil = next;
    this.stream = this.freshStream();
    this.offset = next;
    return true;
  }

  /** Reads the whole messages of an uncompressed chunk that the file cuts short at `offset`. */
  private readCutChunk(offset: number, records: Uint8Array): void {
    const firstMessage = this.messages.length;
    try {
      const reader = this.freshStream();
      reader.append(records);
      this.drain(reader);
      checkChunkTimes(this.contents.subarray(offset), this.messages.slice(firstMessage).map((message) => message.logTimeNs));
      this.logger.warn(`${this.file}: read ${this.messages.length - firstMessage} whole messages from the uncompressed chunk at byte ${offset}, which the file cuts short.`);
    } catch (error) {
      this.messages.length = firstMessage;
      this.channelIds.length = firstMessage;
      this.logger.warn(`${this.file}: the chunk at byte ${offset}, which the file cuts short, is unreadable: ${withoutLibraryTag(describeError(error))}.`);
    }
  }

  /** Reads the footer and the closing magic bytes after it. */
  private readFooter(): void {
    const offset = this.offset;
    try {
      this.stream.append(this.contents.subarray(offset));
      this.drain(this.stream);
    } catch (error) {
      this.logger.warn(
        `${this.file}: its footer or closing magic bytes at byte ${offset} are damaged (${withoutLibraryTag(describeError(error))}); ` +
          `every record before them was read, so only tools that need the footer are affected.`,
      );
    }
    this.complete = true;
    this.offset = this.contents.length;
  }

  private skipChunk(offset: number, record: Uint8Array, reason: string): void {
    this.skipped.add({ file: this.file, offset: BigInt(offset), ...chunkTimes(record), reason });
  }

  private drain(reader: McapStreamReader): void {
    for (let record = reader.nextRecord(); record !== undefined; record = reader.nextRecord()) {
      this.take(record);
    }
  }

  private take(record: McapTypes.TypedMcapRecord): void {
    switch (record.type) {
      case "Schema":
        this.schemas.set(record.id, record);
        break;
      case "Channel":
        this.channels.set(record.id, record);
        break;
      case "Message":
        this.channelIds.push(record.channelId);
        this.messages.push(toSourceMessage(record, this.channels));
        break;
      case "Metadata":
        if (record.name === "rosbag2") {
          this.embedded = parseEmbeddedMetadata(this.file, record.metadata, this.logger);
        }
        break;
      default:
        break;
    }
  }

  private freshStream(): McapStreamReader {
    return readerKnowing(this.schemas.values(), this.channels.values());
  }
}
