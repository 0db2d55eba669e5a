/**
 * Conversions from MCAP records to the bag reader's per-file view, shared by the indexed
 * and the sequential MCAP readers: messages, topics with their types and QoS, the
 * embedded rosbag2 metadata, and the warnings about corrupt chunks.
 */
import { BagError, describeError } from "../errors";
import type { Logger } from "../log";
import type { McapTypes } from "./mcap-core";
import { secondsText } from "../msgs/stamp";
import { withoutLibraryTag, type SkippedChunk } from "./mcap-recovery";
import { parseBagMetadata, type BagMetadata } from "./metadata";
import { parseQosProfiles } from "./qos";
import type { SourceMessage, SourceTopic } from "./source";

type Channel = McapTypes.TypedMcapRecords["Channel"];
type Schema = McapTypes.TypedMcapRecords["Schema"];

/** Corrupt chunks (and unreadable other records) per file that get a warning each; the rest are only counted. */
export const WARNED_CHUNKS = 10;

/** Corrupt chunks of one file: the list the bag reader reports, and a warning for each of the first few. */
export class ChunkSkips {
  readonly chunks: SkippedChunk[] = [];

  constructor(private readonly logger: Logger) {}

  add(chunk: SkippedChunk): void {
    const skipped = { ...chunk, reason: withoutLibraryTag(chunk.reason) };
    this.chunks.push(skipped);
    if (this.chunks.length <= WARNED_CHUNKS) {
      const more = this.chunks.length === WARNED_CHUNKS ? ` Further corrupt chunks of ${chunk.file} are skipped without a warning; the replay summary counts them.` : "";
      this.logger.warn(
        `${chunk.file}: skipping the corrupt chunk at byte ${chunk.offset} (${loggedText(chunk)}): ` +
          `${skipped.reason}. The other chunks are read. If this is a copy, copy the bag again; \`mcap recover\` (the MCAP command-line tool) can also rewrite it without the damaged data.${more}`,
      );
    }
  }
}

/** Describes when a skipped chunk's messages were logged, or that its header is unreadable. */
export function loggedText(chunk: Pick<SkippedChunk, "startNs" | "endNs">): string {
  if (chunk.startNs === undefined || chunk.endNs === undefined) {
    return "log times unknown";
  }
  return `messages logged from ${secondsText(chunk.startNs)} to ${secondsText(chunk.endNs)}`;
}

export function parseEmbeddedMetadata(file: string, metadata: Map<string, string>, logger: Logger): BagMetadata | undefined {
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

export function toSourceMessage(message: McapTypes.TypedMcapRecords["Message"], channels: ReadonlyMap<number, Channel>): SourceMessage {
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
export function collectTopics(
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

export function unknownCompression(file: string, compression: string, offset: bigint): BagError {
  return new BagError(
    file,
    `${file} uses unknown chunk compression ${JSON.stringify(compression)} (chunk at byte ${offset}); ` +
      `supported: none, zstd, lz4.`,
  );
}
