/** Writes small session bags (camera, transcripts, ground truth) for replay tests. */
import { McapBagWriter } from "../../src/bag";
import { boundingBoxFromBox, GROUNDING_STATUS, serializeMessage, timeFromNs, type GroundingResult } from "../../src/msgs";
import type { Box } from "../../src/runtime/types";
import { monoImage } from "../bag/helpers";

/** Bag start: 2023-11-14, so times exceed 2^53 ns as in real recordings. */
export const START_NS = 1_700_000_000n * 1_000_000_000n;
export const IMAGE_WIDTH = 32;
export const IMAGE_HEIGHT = 32;

export interface SessionBagOptions {
  frames: number;
  /** Time between frames, in ms. */
  intervalMs: number;
  /** Transcripts as [ms after start, text]. */
  transcripts?: [number, string][];
  /** Ground-truth box per frame index; null for an absent referent. Frames not listed get none. */
  groundTruth?: Map<number, Box | null>;
  /** Uncompressed bytes per MCAP chunk; default the writer's 1 MiB. */
  chunkSize?: number;
  /** Header stamp of every frame, as a camera that repeats stamps writes it; default each frame's log time. */
  fixedStampNs?: bigint;
}

export function frameTimeNs(index: number, intervalMs: number): bigint {
  return START_NS + BigInt(Math.round(index * intervalMs * 1e6));
}

export async function writeSessionBag(path: string, options: SessionBagOptions): Promise<void> {
  const writer = await McapBagWriter.create(path, { compression: "zstd", chunkSize: options.chunkSize });
  await writer.addTopic({ name: "/camera/image_raw", type: "sensor_msgs/msg/Image" });
  await writer.addTopic({ name: "/transcript", type: "std_msgs/msg/String" });
  await writer.addTopic({ name: "/softskip/ground_truth", type: "softskip_msgs/msg/GroundingResult" });

  for (const [ms, text] of options.transcripts ?? []) {
    await writer.write("/transcript", START_NS + BigInt(Math.round(ms * 1e6)), serializeMessage("std_msgs/msg/String", { data: text }));
  }
  for (let index = 0; index < options.frames; index += 1) {
    const timeNs = frameTimeNs(index, options.intervalMs);
    const image = monoImage(0, 100 + index, IMAGE_WIDTH, IMAGE_HEIGHT);
    const stampNs = options.fixedStampNs ?? timeNs;
    image.header.stamp = timeFromNs(stampNs);
    await writer.write("/camera/image_raw", timeNs, serializeMessage("sensor_msgs/msg/Image", image));

    const truth = options.groundTruth?.get(index);
    if (truth !== undefined) {
      const result: GroundingResult = {
        header: image.header,
        transcript: "",
        expression: "",
        status: truth === null ? GROUNDING_STATUS.NOT_FOUND : GROUNDING_STATUS.GROUNDED,
        bbox: boundingBoxFromBox(truth ?? { x: 0, y: 0, width: 0, height: 0 }),
        score: 1,
        executed_blocks: [],
        compute_ratio: 1,
        latency_ms: 0,
        budget_ms: 0,
        policy: "",
        command_id: 0,
      };
      await writer.write("/softskip/ground_truth", timeNs, serializeMessage("softskip_msgs/msg/GroundingResult", result));
    }
  }
  await writer.close();
}
