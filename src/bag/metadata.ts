/**
 * rosbag2's `metadata.yaml` (and the same document embedded in MCAP files as the
 * `rosbag2` metadata record's `serialized_metadata`). Only the fields that reading
 * needs are kept: files in order, compression, and each topic's type, encoding and QoS.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

import { BagError, describeError, describeYamlError } from "../errors";
import type { Logger } from "../log";
import { parseQosProfiles } from "./qos";
import type { QosProfile } from "./types";

export interface TopicMetadata {
  name: string;
  type: string;
  serializationFormat: string;
  qos: QosProfile[];
}

export interface BagMetadata {
  version: number;
  storageIdentifier: string;
  /** Bag files relative to the bag folder, in recording order. */
  relativeFilePaths: string[];
  /** "" (none) or "zstd"; other values are rejected when a file is opened. */
  compressionFormat: string;
  /** "" (none), "FILE" (each bag file compressed whole) or "MESSAGE" (each payload). */
  compressionMode: string;
  topics: Map<string, TopicMetadata>;
}

export const METADATA_FILE = "metadata.yaml";

/**
 * Reads `<folder>/metadata.yaml`; throws BagError naming the file and the fault. An
 * unreadable QoS only loses that topic's QoS, with a warning to `logger`.
 */
export async function readBagMetadata(folder: string, logger: Logger): Promise<BagMetadata> {
  const path = join(folder, METADATA_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new BagError(path, `Cannot read ${path}: ${describeError(error)}.`, { cause: error });
  }
  return parseBagMetadata(text, path, logger, "fix the file, or move it aside to read the folder's bag files in name order");
}

/**
 * Parses the YAML text of a metadata document. `source` names it in errors, and `fix`,
 * when given, ends the error for text that is not YAML.
 */
export function parseBagMetadata(text: string, source: string, logger: Logger, fix?: string): BagMetadata {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new BagError(source, `${source} is not valid YAML: ${describeYamlError(error)}${fix === undefined ? "" : `; ${fix}`}.`, { cause: error });
  }

  // metadata.yaml wraps the fields in rosbag2_bagfile_information; the MCAP record
  // (rosbag2 and the rosbags Python library alike) stores them unwrapped.
  const root = document as Record<string, unknown> | null;
  const info = root?.["rosbag2_bagfile_information"] ?? (root?.["topics_with_message_count"] !== undefined ? root : undefined);
  if (info === null || typeof info !== "object") {
    throw new BagError(source, `${source} has no rosbag2_bagfile_information map, so it is not rosbag2 metadata.`);
  }
  const fields = info as Record<string, unknown>;

  return {
    version: Number(fields["version"] ?? 0),
    storageIdentifier: String(fields["storage_identifier"] ?? ""),
    relativeFilePaths: stringList(fields["relative_file_paths"]),
    compressionFormat: String(fields["compression_format"] ?? ""),
    compressionMode: String(fields["compression_mode"] ?? "").toUpperCase(),
    topics: parseTopics(fields["topics_with_message_count"], source, logger),
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => String(item)) : [];
}

function parseTopics(value: unknown, source: string, logger: Logger): Map<string, TopicMetadata> {
  const topics = new Map<string, TopicMetadata>();
  if (!Array.isArray(value)) {
    return topics;
  }
  for (const entry of value) {
    const topic = (entry as Record<string, unknown> | null)?.["topic_metadata"] as Record<string, unknown> | undefined;
    if (topic === undefined || typeof topic["name"] !== "string") {
      continue;
    }
    let qos: QosProfile[] = [];
    try {
      qos = parseQosProfiles(topic["offered_qos_profiles"]);
    } catch (error) {
      logger.warn(`${source}: topic ${topic["name"]} has unreadable QoS, so its QoS is left empty: ${describeError(error)}`);
    }
    topics.set(topic["name"], {
      name: topic["name"],
      type: String(topic["type"] ?? ""),
      serializationFormat: String(topic["serialization_format"] ?? "cdr"),
      qos,
    });
  }
  return topics;
}
