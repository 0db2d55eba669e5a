/**
 * Writes a generated robot session as a ROS 2 MCAP bag. A camera looks at one table with
 * slight hand-held motion while commands arrive on a speech topic. The true box and status
 * of every frame go to a ground-truth topic, so that a replay can score itself.
 */
import sharp from "sharp";
import { McapBagWriter } from "../bag";
import { ArgumentError } from "../errors";
import { checkRange } from "./range-check";
import type { Logger } from "../log";
import { boundingBoxFromBox, GROUNDING_STATUS, serializeMessage, timeFromNs, type GroundingResult, type Header } from "../msgs";
import type { QosProfile } from "../bag";
import { sceneFacts } from "./generator";
import { multiply, rotationAbout, translation, type Affine } from "./geometry";
import { Random } from "./random";
import { renderScene } from "./render";
import { layoutScene, measureObjects, type SceneLayout } from "./scene";
import { planScript, type ScriptEntry } from "./script";

export const SESSION_TOPICS = {
  image: "/camera/image_raw",
  compressed: "/camera/image_raw/compressed",
  transcript: "/speech/transcript",
  groundTruth: "/softskip/ground_truth",
} as const;

/** Stamp of the first frame: a fixed time, so the same seed gives the same bytes. */
const START_TIME_NS = 1_700_000_000_000_000_000n;
const FRAME_ID = "camera";

export interface SessionOptions {
  /** Output .mcap file; written to a temporary name and renamed when complete. */
  out: string;
  /** Session length in seconds, 1..600. */
  seconds: number;
  /** Camera frame rate in Hz, 0.5..60. */
  rate: number;
  /** Unsigned 32-bit seed. */
  seed: number;
  /** Image size in pixels, each 32..4096. */
  width: number;
  height: number;
  /** Write /camera/image_raw (sensor_msgs/Image) in this encoding. */
  raw: boolean;
  encoding: "rgb8" | "bgr8";
  /** Write /camera/image_raw/compressed (JPEG). */
  compressed: boolean;
  /** JPEG quality 1..100 of compressed frames. */
  quality: number;
  logger: Logger;
}

export interface SessionSummary {
  out: string;
  frames: number;
  commands: number;
  messages: number;
  script: ScriptEntry[];
}

const SENSOR_QOS: QosProfile = { history: "keep_last", depth: 5, reliability: "best_effort", durability: "volatile" };

/** Rejects options the bag writer cannot honour, naming the option and the accepted values. */
export function validateSessionOptions(options: SessionOptions): void {
  if (options.out.trim() === "") {
    throw new ArgumentError("The output bag path is empty; pass --out FILE.mcap.");
  }
  checkRange("--seconds", options.seconds, 1, 600, false);
  checkRange("--rate", options.rate, 0.5, 60, false);
  checkRange("--seed", options.seed, 0, 2 ** 32 - 1, true);
  checkRange("--width", options.width, 32, 4096, true);
  checkRange("--height", options.height, 32, 4096, true);
  checkRange("--quality", options.quality, 1, 100, true);
  if (options.encoding !== "rgb8" && options.encoding !== "bgr8") {
    throw new ArgumentError(`encoding must be "rgb8" or "bgr8" but is ${JSON.stringify(options.encoding)}.`);
  }
  if (!options.raw && !options.compressed) {
    throw new ArgumentError("The bag would have no camera topic: --no-raw needs --compressed.");
  }
}

/** Slow hand-held camera motion: about 1% of the width of drift and half a degree of roll. */
function frameCamera(layout: SceneLayout, random: Random, timeS: number, phase: readonly number[]): Affine {
  const { width, height } = layout;
  const [p1 = 0, p2 = 0, p3 = 0] = phase;
  const dx = 0.012 * width * Math.sin(2 * Math.PI * (timeS / 6 + p1)) + random.range(-0.3, 0.3);
  const dy = 0.01 * height * Math.sin(2 * Math.PI * (timeS / 8 + p2)) + random.range(-0.3, 0.3);
  const roll = 0.5 * Math.sin(2 * Math.PI * (timeS / 9 + p3));
  return multiply(translation(dx, dy), multiply(rotationAbout(roll, width / 2, height / 2), layout.camera));
}

/** Object sizes of a session: large enough to see at a glance in a replay, 6% to 30% of the width. */
const SESSION_SIZES = (width: number): { minSize: number; maxSize: number } => ({ minSize: 0.06 * width, maxSize: 0.3 * width });

/** Lays out a session scene with enough objects for the script; tries fresh layouts until one fits. */
function sessionScene(options: SessionOptions): { layout: SceneLayout; script: ScriptEntry[] } {
  for (let attempt = 0; attempt < 500; attempt++) {
    const random = Random.derive(options.seed, attempt, 11);
    const layout = layoutScene(random, { width: options.width, height: options.height, novel: false, minObjects: 5, maxObjects: 9, ...SESSION_SIZES(options.width) });
    const { facts } = sceneFacts(layout);
    const script = planScript(random, facts, options.seconds);
    if (script !== null) {
      return { layout, script };
    }
  }
  throw new Error(`No scene with a correctable pair of objects in 500 layouts for seed ${options.seed}; the layout generator has changed, so check chooseSpecs.`);
}

function groundTruth(header: Header, entry: ScriptEntry, commandId: number, box: { x: number; y: number; width: number; height: number } | null): GroundingResult {
  const found = entry.target !== null && entry.target >= 0 && box !== null;
  return {
    header,
    transcript: entry.transcript,
    expression: entry.expression,
    status: found ? GROUNDING_STATUS.GROUNDED : GROUNDING_STATUS.NOT_FOUND,
    bbox: boundingBoxFromBox(found && box !== null ? box : { x: 0, y: 0, width: 0, height: 0 }),
    score: found ? 1 : 0,
    executed_blocks: [],
    compute_ratio: 0,
    latency_ms: 0,
    budget_ms: 0,
    policy: "ground_truth",
    command_id: commandId,
  };
}

/** Swaps R and B in place for bgr8. */
function toBgr(pixels: Buffer): void {
  for (let i = 0; i < pixels.length; i += 3) {
    const red = pixels[i] as number;
    pixels[i] = pixels[i + 2] as number;
    pixels[i + 2] = red;
  }
}

/**
 * Writes the session bag. Ground truth is published for every frame from a command's
 * time until the next command or stop: the true box with status grounded, or a zero box
 * with status not_found when the referent is absent. After a stop nothing is published.
 */
export async function writeSessionBag(options: SessionOptions): Promise<SessionSummary> {
  validateSessionOptions(options);
  const { width, height, logger } = options;
  const { layout, script } = sessionScene(options);
  const frames = Math.max(1, Math.floor(options.seconds * options.rate));
  const motion = Random.derive(options.seed, 12);
  const phase = [motion.next(), motion.next(), motion.next()];

  const writer = await McapBagWriter.create(options.out, { compression: "zstd" });
  try {
    if (options.raw) {
      await writer.addTopic({ name: SESSION_TOPICS.image, type: "sensor_msgs/msg/Image", qos: [SENSOR_QOS] });
    }
    if (options.compressed) {
      await writer.addTopic({ name: SESSION_TOPICS.compressed, type: "sensor_msgs/msg/CompressedImage", qos: [SENSOR_QOS] });
    }
    await writer.addTopic({ name: SESSION_TOPICS.transcript, type: "std_msgs/msg/String" });
    await writer.addTopic({ name: SESSION_TOPICS.groundTruth, type: "softskip_msgs/msg/GroundingResult" });

    let published = 0;
    let active: { entry: ScriptEntry; id: number } | null = null;
    let commands = 0;
    for (let frame = 0; frame < frames; frame++) {
      const timeS = frame / options.rate;
      const stampNs = START_TIME_NS + BigInt(Math.round(timeS * 1e9));

      // Transcripts spoken before this frame are written first, at their own times.
      while (published < script.length && (script[published] as ScriptEntry).timeS <= timeS) {
        const entry = script[published] as ScriptEntry;
        const entryNs = START_TIME_NS + BigInt(Math.round(entry.timeS * 1e9));
        await writer.write(SESSION_TOPICS.transcript, entryNs, serializeMessage("std_msgs/msg/String", { data: entry.transcript }));
        if (entry.target === null) {
          active = null;
        } else {
          commands++;
          active = { entry, id: commands };
        }
        published++;
      }

      const camera = frameCamera(layout, motion, timeS, phase);
      const pixels = await renderScene(layout, Random.derive(options.seed, frame, 13), { camera, format: "rgb" });
      const header: Header = { stamp: timeFromNs(stampNs), frame_id: FRAME_ID };
      if (options.compressed) {
        const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: options.quality }).toBuffer();
        await writer.write(SESSION_TOPICS.compressed, stampNs, serializeMessage("sensor_msgs/msg/CompressedImage", { header, format: "jpeg", data: jpeg }));
      }
      if (options.raw) {
        if (options.encoding === "bgr8") {
          toBgr(pixels);
        }
        const image = { header, height, width, encoding: options.encoding, is_bigendian: 0, step: width * 3, data: pixels };
        await writer.write(SESSION_TOPICS.image, stampNs, serializeMessage("sensor_msgs/msg/Image", image));
      }
      if (active !== null) {
        const target = active.entry.target ?? -1;
        const seen = target >= 0 ? measureObjects(layout.objects, camera, width, height)[target]?.box ?? null : null;
        const box = seen === null ? null : { x: seen.left, y: seen.top, width: seen.right - seen.left, height: seen.bottom - seen.top };
        const truth = groundTruth(header, active.entry, active.id, box);
        await writer.write(SESSION_TOPICS.groundTruth, stampNs, serializeMessage("softskip_msgs/msg/GroundingResult", truth));
      }
      if ((frame + 1) % 25 === 0) {
        logger.info(`${frame + 1}/${frames} frames`);
      }
    }
    const messages = writer.count;
    await writer.close();
    // Only what the bag holds: entries timed after the last frame were never written.
    return { out: options.out, frames, commands, messages, script: script.slice(0, published) };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
