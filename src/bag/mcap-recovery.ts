/**
 * Reading MCAP data around corrupt chunks. @mcap/core's readers stop at the first chunk
 * that fails to decompress or whose CRC does not match, yet a recording with one damaged
 * chunk still contains the rest of its data. These functions decode one chunk at a time, so a
 * bad chunk costs only its own messages.
 */
import { describeError } from "../errors";
import { mcapDecompressHandlers } from "./compression";
import { McapRecordBuilder, McapStreamReader, type McapTypes } from "./mcap-core";

type Channel = McapTypes.TypedMcapRecords["Channel"];
type Schema = McapTypes.TypedMcapRecords["Schema"];
type Message = McapTypes.TypedMcapRecords["Message"];
type ChunkIndex = McapTypes.TypedMcapRecords["ChunkIndex"];

/** A chunk whose messages were not read because its data is corrupt. */
export interface SkippedChunk {
  file: string;
  /** Byte offset of the chunk record in the file. */
  offset: bigint;
  /** Log times of its first and last message, in ns, as its header or index states them; absent when unreadable. */
  startNs?: bigint;
  endNs?: bigint;
  reason: string;
}

/** Returns an error text of @mcap/core without its "[library=...]" or "[no header]" tag. */
export function withoutLibraryTag(text: string): string {
  return text.replace(/\s*\[(?:library=[^\]]*|no header)\]/g, "");
}

/** Opcode (1 byte) and record length (uint64) before every record body (MCAP specification, "Records"). */
const RECORD_PREFIX_BYTES = 9;

/**
 * Returns a stream reader for records taken out of their file's order, with `schemas` and
 * `channels` already read into it, because it rejects a message whose channel it has not read.
 */
export function readerKnowing(schemas: Iterable<Schema>, channels: Iterable<Channel>): McapStreamReader {
  const reader = new McapStreamReader({ noMagicPrefix: true, decompressHandlers: mcapDecompressHandlers() });
  const builder = new McapRecordBuilder();
  for (const schema of schemas) {
    builder.writeSchema(schema);
  }
  for (const channel of channels) {
    builder.writeChannel(channel);
  }
  reader.append(builder.buffer);
  while (reader.nextRecord() !== undefined) {
    // Only the reader's channel table matters here.
  }
  return reader;
}

/** Decodes one chunk record (opcode to end) into its messages, sorted by log time; throws when it is corrupt. */
function chunkMessages(record: Uint8Array, schemas: Iterable<Schema>, channels: Iterable<Channel>): Message[] {
  const reader = readerKnowing(schemas, channels);
  reader.append(record);
  const messages: Message[] = [];
  for (let next = reader.nextRecord(); next !== undefined; next = reader.nextRecord()) {
    if (next.type === "Message") {
      messages.push(next);
    }
  }
  if (reader.bytesRemaining() !== 0) {
    throw new Error(`the chunk record is incomplete (${reader.bytesRemaining()} bytes left unparsed)`);
  }
  checkChunkTimes(record, messages.map((message) => message.logTime));
  // Stable sort: messages with equal log times keep their order in the chunk.
  return messages.sort((a, b) => compareBigints(a.logTime, b.logTime));
}

export interface ChunkReadOptions {
  file: string;
  readable: McapTypes.IReadable;
  chunkIndexes: readonly ChunkIndex[];
  schemas: ReadonlyMap<number, Schema>;
  channels: ReadonlyMap<number, Channel>;
  /**
   * Position where an earlier read stopped: messages logged before `logTimeNs` are not
   * yielded again, nor those logged at it whose `messageKey` is counted in `seen`.
   */
  resume?: { logTimeNs: bigint; seen: Map<string, number> };
  onSkip(chunk: SkippedChunk): void;
}

/**
 * Yields the messages of an indexed file in log-time order, one chunk at a time, and
 * reports each corrupt chunk to `onSkip` instead of stopping. A chunk is read once every
 * earlier-starting one has been, so overlapping chunks merge correctly and at most the
 * overlapping ones are in memory.
 */
export async function* readChunksSkippingCorrupt(options: ChunkReadOptions): AsyncGenerator<Message> {
  const { file, readable, schemas, channels, resume } = options;
  const chunks = [...options.chunkIndexes].sort((a, b) => compareBigints(a.messageStartTime, b.messageStartTime));
  const open: Array<{ messages: Message[]; next: number; offset: bigint }> = [];
  let nextChunk = 0;

  // Equal log times go in chunk offset order, as McapIndexedReader orders them.
  const earliest = (): number => {
    let best = -1;
    for (let index = 0; index < open.length; index += 1) {
      const time = open[index].messages[open[index].next].logTime;
      const bestTime = best < 0 ? 0n : open[best].messages[open[best].next].logTime;
      if (best < 0 || time < bestTime || (time === bestTime && open[index].offset < open[best].offset)) {
        best = index;
      }
    }
    return best;
  };

  for (;;) {
    let best = earliest();
    while (nextChunk < chunks.length && (best < 0 || chunks[nextChunk].messageStartTime <= open[best].messages[open[best].next].logTime)) {
      const chunk = chunks[nextChunk];
      nextChunk += 1;
      if (resume !== undefined && chunk.messageEndTime < resume.logTimeNs) {
        continue;
      }
      try {
        const record = await readable.read(chunk.chunkStartOffset, chunk.chunkLength);
        const messages = chunkMessages(record, schemas.values(), channels.values());
        if (messages.length > 0) {
          open.push({ messages, next: 0, offset: chunk.chunkStartOffset });
        }
      } catch (error) {
        options.onSkip({ file, offset: chunk.chunkStartOffset, startNs: chunk.messageStartTime, endNs: chunk.messageEndTime, reason: describeError(error) });
      }
      best = earliest();
    }
    if (best < 0) {
      return;
    }
    const cursor = open[best];
    const message = cursor.messages[cursor.next];
    cursor.next += 1;
    if (cursor.next === cursor.messages.length) {
      open.splice(best, 1);
    }
    if (resume !== undefined && message.logTime < resume.logTimeNs) {
      continue;
    }
    if (resume !== undefined && message.logTime === resume.logTimeNs) {
      const key = messageKey(message);
      const seen = resume.seen.get(key) ?? 0;
      if (seen > 0) {
        resume.seen.set(key, seen - 1);
        continue;
      }
    }
    yield message;
  }
}

/**
 * Throws when a message's log time lies outside the range that its chunk's header states.
 * A chunk may store no CRC (0, which the MCAP specification allows), and then this
 * contradiction is the only sign that its bytes were damaged, so none of its messages can be trusted.
 */
export function checkChunkTimes(record: Uint8Array, logTimes: readonly bigint[]): void {
  const times = chunkTimes(record);
  const outside = times === undefined ? undefined : logTimes.find((time) => time < times.startNs || time > times.endNs);
  if (times !== undefined && outside !== undefined) {
    throw new Error(`it contains a message logged at ${outside} ns, outside the range ${times.startNs} to ${times.endNs} ns that the chunk states`);
  }
}

/** Log times that a chunk record's header states, or undefined when it is too short to hold them. */
export function chunkTimes(record: Uint8Array): { startNs: bigint; endNs: bigint } | undefined {
  if (record.length < RECORD_PREFIX_BYTES + 16) {
    return undefined;
  }
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  return { startNs: view.getBigUint64(RECORD_PREFIX_BYTES, true), endNs: view.getBigUint64(RECORD_PREFIX_BYTES + 8, true) };
}

/** Returns a key that distinguishes the messages logged at one instant, without reading their payloads. */
export function messageKey(message: Message): string {
  return `${message.channelId}/${message.sequence}/${message.publishTime}/${message.data.byteLength}`;
}

/** Orders two bigints (log times) for Array.prototype.sort. */
export function compareBigints(a: bigint, b: bigint): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}
