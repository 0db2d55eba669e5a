/**
 * Record boundaries of an MCAP file held in memory, for reading it in order when its
 * bytes may be damaged. Every record is an opcode (1 byte), a body length (uint64,
 * little-endian) and the body (MCAP specification, "Records"). A damaged length or opcode
 * loses the boundaries, so reading goes on at the next bytes that have the exact structure
 * of a chunk record.
 */
import type { McapTypes } from "./mcap-core";
import { readerKnowing } from "./mcap-recovery";

type Channel = McapTypes.TypedMcapRecords["Channel"];
type Schema = McapTypes.TypedMcapRecords["Schema"];

export const FOOTER_OPCODE = 0x02;
const SCHEMA_OPCODE = 0x03;
const CHANNEL_OPCODE = 0x04;
export const CHUNK_OPCODE = 0x06;
/** Highest opcode the specification defines; 0x80 and above are private records, the rest reserved. */
const LAST_DEFINED_OPCODE = 0x0f;
const FIRST_PRIVATE_OPCODE = 0x80;
/** Opcode (1 byte) and record length (uint64) before every record body. */
export const RECORD_PREFIX_BYTES = 9;
/** Footer body: summary start, summary offset start (uint64 each) and summary CRC (uint32). */
const FOOTER_BODY_BYTES = 20;
export const MAGIC_BYTES = 8;
/** Chunk body bytes besides its compression name and records: three uint64, a uint32 CRC and the two length prefixes. */
const CHUNK_FIXED_BYTES = 8 + 8 + 8 + 4 + 4 + 8;
/** Byte offset, inside a chunk body, of the compression name's length. */
const CHUNK_NAME_LENGTH_AT = 28;
/** Maximum length of a chunk's compression name accepted here: "zstd", "lz4" or "", with room for unknown ones. */
const MAX_COMPRESSION_NAME = 16;

export class McapFraming {
  private readonly view: DataView;
  /** Offset of the footer record when the file ends in one (and 8 more bytes for the closing magic). */
  readonly footerAt: number | undefined;

  constructor(private readonly contents: Uint8Array) {
    this.view = new DataView(contents.buffer, contents.byteOffset, contents.byteLength);
    const footerAt = contents.length - MAGIC_BYTES - RECORD_PREFIX_BYTES - FOOTER_BODY_BYTES;
    const isFooter = footerAt >= MAGIC_BYTES && contents[footerAt] === FOOTER_OPCODE && this.view.getBigUint64(footerAt + 1, true) === BigInt(FOOTER_BODY_BYTES);
    this.footerAt = isFooter ? footerAt : undefined;
  }

  /** Returns the end of the record at `offset`, or undefined when its opcode is reserved or its length runs past `limit`. */
  recordEnd(offset: number, limit = this.contents.length): number | undefined {
    if (offset + RECORD_PREFIX_BYTES > limit) {
      return undefined;
    }
    const opcode = this.contents[offset];
    if (opcode === 0 || (opcode > LAST_DEFINED_OPCODE && opcode < FIRST_PRIVATE_OPCODE)) {
      return undefined;
    }
    const length = this.view.getBigUint64(offset + 1, true);
    if (length > BigInt(limit - offset - RECORD_PREFIX_BYTES)) {
      return undefined;
    }
    return offset + RECORD_PREFIX_BYTES + Number(length);
  }

  /**
   * Returns whether the record at `offset`, ending at `end`, has the structure of a chunk,
   * whatever its opcode byte: its length fields agree and its time range is ordered.
   */
  chunkShaped(offset: number, end: number): boolean {
    const body = offset + RECORD_PREFIX_BYTES;
    if (end - body < CHUNK_FIXED_BYTES) {
      return false;
    }
    const nameLength = this.view.getUint32(body + CHUNK_NAME_LENGTH_AT, true);
    if (nameLength > MAX_COMPRESSION_NAME || CHUNK_FIXED_BYTES + nameLength > end - body) {
      return false;
    }
    const recordsLength = this.view.getBigUint64(body + CHUNK_NAME_LENGTH_AT + 4 + nameLength, true);
    const ordered = this.view.getBigUint64(body, true) <= this.view.getBigUint64(body + 8, true);
    return ordered && BigInt(CHUNK_FIXED_BYTES + nameLength) + recordsLength === BigInt(end - body);
  }

  /**
   * Returns the offset of the first chunk record at or after `from` and before `limit`,
   * for going on after damaged bytes whose record boundaries are lost, or undefined.
   */
  nextChunkStart(from: number, limit = this.footerAt ?? this.contents.length): number | undefined {
    for (let at = this.contents.indexOf(CHUNK_OPCODE, from); at >= 0 && at < limit; at = this.contents.indexOf(CHUNK_OPCODE, at + 1)) {
      const end = this.recordEnd(at, limit);
      if (end !== undefined && this.chunkShaped(at, end)) {
        return at;
      }
    }
    return undefined;
  }

  /** Returns where the summary section starts (the footer when there is none), when the footer is intact. */
  summaryStart(): number | undefined {
    if (this.footerAt === undefined) {
      return undefined;
    }
    const start = Number(this.view.getBigUint64(this.footerAt + RECORD_PREFIX_BYTES, true));
    return start >= MAGIC_BYTES && start < this.footerAt ? start : this.footerAt;
  }

  /**
   * Returns the schemas and channels of the summary section. Writers put these records in
   * the first chunk that uses them, so without the summary one corrupt chunk would make
   * every later message's channel unknown.
   */
  summaryDefinitions(): { schemas: Schema[]; channels: Channel[] } {
    const schemas: Schema[] = [];
    const channels: Channel[] = [];
    const limit = this.footerAt;
    let offset = this.summaryStart();
    if (limit === undefined || offset === undefined) {
      return { schemas, channels };
    }
    for (let end = this.recordEnd(offset, limit); end !== undefined; offset = end, end = this.recordEnd(offset, limit)) {
      if (this.contents[offset] !== SCHEMA_OPCODE && this.contents[offset] !== CHANNEL_OPCODE) {
        continue;
      }
      try {
        const reader = readerKnowing(schemas, []);
        reader.append(this.contents.subarray(offset, end));
        const record = reader.nextRecord();
        if (record?.type === "Schema") {
          schemas.push(record);
        } else if (record?.type === "Channel") {
          channels.push(record);
        }
      } catch {
        // A damaged summary record: the data section may still define it.
      }
    }
    return { schemas, channels };
  }

  /**
   * Returns the complete records inside an uncompressed chunk that the file cuts short, up
   * to the chunk's stated records length, or undefined when the chunk at `offset` is
   * compressed or contains none. A recorder that stopped while writing leaves such a chunk,
   * and its whole messages are still usable.
   */
  completeRecordsOfCutChunk(offset: number): Uint8Array | undefined {
    const body = offset + RECORD_PREFIX_BYTES;
    const first = body + CHUNK_FIXED_BYTES;
    if (this.contents[offset] !== CHUNK_OPCODE || first > this.contents.length || this.view.getUint32(body + CHUNK_NAME_LENGTH_AT, true) !== 0) {
      return undefined;
    }
    const stated = this.view.getBigUint64(body + CHUNK_NAME_LENGTH_AT + 4, true);
    const limit = stated < BigInt(this.contents.length - first) ? first + Number(stated) : this.contents.length;
    let end = first;
    for (let next = this.recordEnd(end, limit); next !== undefined; next = this.recordEnd(end, limit)) {
      end = next;
    }
    return end > first ? this.contents.subarray(first, end) : undefined;
  }
}
