/**
 * Chooses the replayed topics the way the node subscribes: `image` (sensor_msgs/Image)
 * or `image/compressed` (sensor_msgs/CompressedImage) by `image_transport`, and
 * `transcript` (std_msgs/String). A bag has absolute names, so the defaults are the
 * usual camera driver names, then the first topic of the right type.
 */
import type { BagTopic } from "../bag";
import { ArgumentError, BagError } from "../errors";
import type { ImageTransport } from "../params/declarations";

export const IMAGE_TYPE = "sensor_msgs/msg/Image";
export const COMPRESSED_IMAGE_TYPE = "sensor_msgs/msg/CompressedImage";
export const STRING_TYPE = "std_msgs/msg/String";
export const GROUNDING_RESULT_TYPE = "softskip_msgs/msg/GroundingResult";

/** Default names tried first, per transport. */
export const DEFAULT_IMAGE_TOPICS: Record<ImageTransport, string> = {
  raw: "/camera/image_raw",
  compressed: "/camera/image_raw/compressed",
};
export const DEFAULT_TRANSCRIPT_TOPIC = "/transcript";
/** Ground truth written by `softskip synth bag`: one GroundingResult per frame, same stamp. */
export const GROUND_TRUTH_TOPIC = "/softskip/ground_truth";

export interface ReplayTopics {
  image: { name: string; kind: "raw" | "compressed" };
  /** Null when the bag has no transcript topic or commands come from the command line. */
  transcript: string | null;
  groundTruth: string | null;
}

export interface TopicChoice {
  transport: ImageTransport;
  imageTopic?: string;
  transcriptTopic?: string;
  /** False when commands come from --command or --commands. */
  useTranscripts: boolean;
  /** The bag, named in the error when it has no image topic at all. */
  bagPath: string;
}

/**
 * Throws ArgumentError naming the topic and listing the candidates when a requested topic
 * is missing, and BagError when the bag has no image topic at all (no option can fix that).
 */
export function selectReplayTopics(topics: readonly BagTopic[], choice: TopicChoice): ReplayTopics {
  const readable = topics.filter((topic) => topic.definitionSource !== "none");
  return {
    image: selectImageTopic(readable, topics, choice),
    transcript: choice.useTranscripts || choice.transcriptTopic !== undefined ? selectTranscriptTopic(readable, choice.transcriptTopic) : null,
    groundTruth: readable.some((topic) => topic.name === GROUND_TRUTH_TOPIC && topic.type === GROUNDING_RESULT_TYPE) ? GROUND_TRUTH_TOPIC : null,
  };
}

function kindOf(topic: BagTopic): "raw" | "compressed" | undefined {
  if (topic.type === IMAGE_TYPE) {
    return "raw";
  }
  return topic.type === COMPRESSED_IMAGE_TYPE ? "compressed" : undefined;
}

function selectImageTopic(topics: readonly BagTopic[], allTopics: readonly BagTopic[], choice: TopicChoice): ReplayTopics["image"] {
  const images = topics.filter((topic) => kindOf(topic) !== undefined);
  const listing = images.map((topic) => `${topic.name} (${topic.type})`).join(", ") || "none";

  if (choice.imageTopic !== undefined) {
    // As image_transport does, a base topic name also finds its "/compressed" topic: that
    // one under the compressed transport, and otherwise when the base has no images.
    const compressed = images.find((topic) => topic.name === `${choice.imageTopic}/compressed` && kindOf(topic) === "compressed");
    const named = images.find((topic) => topic.name === choice.imageTopic);
    const topic = choice.transport === "compressed" ? (compressed ?? named) : (named ?? compressed);
    if (topic === undefined) {
      throw new ArgumentError(`Invalid --image-topic ${choice.imageTopic}: the bag has no readable image topic of that name; image topics: ${listing}.`);
    }
    return { name: topic.name, kind: kindOf(topic) ?? "raw" };
  }

  const expectedType = choice.transport === "compressed" ? COMPRESSED_IMAGE_TYPE : IMAGE_TYPE;
  // Depth images (16UC1, compressedDepth) cannot be grounded, and an empty topic gives no
  // frames, so a colour topic with messages comes first: RGB-D bags list depth topics too.
  const usable = images.filter((topic) => topic.messageCount > 0 && !/depth/i.test(topic.name));
  const preferred =
    usable.find((topic) => topic.name === DEFAULT_IMAGE_TOPICS[choice.transport] && topic.type === expectedType) ??
    usable.find((topic) => topic.type === expectedType) ??
    usable[0] ??
    images.find((topic) => topic.name === DEFAULT_IMAGE_TOPICS[choice.transport] && topic.type === expectedType) ??
    images.find((topic) => topic.type === expectedType) ??
    images[0];
  if (preferred === undefined) {
    const listing = allTopics.map((topic) => `${topic.name} (${topic.type}, ${topic.definitionSource === "none" ? `unreadable, encoding ${topic.encoding}` : "readable"})`);
    throw new BagError(
      choice.bagPath,
      `Bag ${choice.bagPath} has no readable sensor_msgs/msg/Image or CompressedImage topic to ground on; its topics: ${listing.join(", ") || "none"}.`,
    );
  }
  return { name: preferred.name, kind: kindOf(preferred) ?? "raw" };
}

function selectTranscriptTopic(topics: readonly BagTopic[], requested: string | undefined): string | null {
  const strings = topics.filter((topic) => topic.type === STRING_TYPE);
  if (requested !== undefined) {
    if (!strings.some((topic) => topic.name === requested)) {
      const listing = strings.map((topic) => topic.name).join(", ") || "none";
      throw new ArgumentError(`Invalid --transcript-topic ${requested}: the bag has no std_msgs/msg/String topic of that name; String topics: ${listing}.`);
    }
    return requested;
  }
  const preferred =
    strings.find((topic) => topic.name === DEFAULT_TRANSCRIPT_TOPIC) ??
    strings.find((topic) => topic.name.endsWith("transcript")) ??
    strings[0];
  return preferred?.name ?? null;
}
