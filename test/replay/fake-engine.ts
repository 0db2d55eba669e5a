/**
 * A GroundingEngine without a model, for replay tests: it decodes every image with the
 * real src/image decoder (so unsupported or corrupt images are rejected as on the robot)
 * and returns the centre quarter of the image as the box.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { decodeImage } from "../../src/image";
import type { CommandEncoding, GroundingEngine, GroundingOutput, GroundOptions, ImageInput } from "../../src/runtime/types";

export interface FakeEngineOptions {
  /** Time each ground call takes, in ms; default 0. */
  groundMs?: number;
  /** Score of every result; default 0.9 (grounded at the default min_score 0.5). */
  score?: number;
  /** Score each result with the image's first byte / 255 instead, so a result names its frame. */
  scoreFromFirstByte?: boolean;
}

export class FakeEngine implements GroundingEngine {
  readonly modelName = "fake";
  readonly gateableBlocks = ["stage4.res1", "fuse.s8"];
  readonly objectNouns = ["mug", "bowl", "coffee mug", "cup"];
  encodeCalls = 0;
  groundCalls = 0;
  released = 0;
  closed = false;
  private nextHandle = 1;

  constructor(private readonly options: FakeEngineOptions = {}) {}

  async encode(text: string): Promise<CommandEncoding> {
    this.encodeCalls += 1;
    return { expression: text, tokenIds: [], unknownWords: [], handle: this.nextHandle++, gates: { "stage4.res1": 0.9, "fuse.s8": 0.2 } };
  }

  async ground(image: ImageInput, _command: CommandEncoding, options: GroundOptions): Promise<GroundingOutput> {
    this.groundCalls += 1;
    const decoded = await decodeImage(image, "fake engine");
    if ((this.options.groundMs ?? 0) > 0) {
      await sleep(this.options.groundMs);
    }
    const score = this.options.scoreFromFirstByte === true ? decoded.data[0] / 255 : (this.options.score ?? 0.9);
    return {
      status: score >= (options.minScore ?? 0.5) ? "grounded" : "not_found",
      box: { x: decoded.width / 4, y: decoded.height / 4, width: decoded.width / 2, height: decoded.height / 2 },
      score,
      policy: options.policy,
      executedBlocks: ["stage4.res1"],
      computeRatio: 0.6,
      latencyMs: { total: this.options.groundMs ?? 0 },
      imageWidth: decoded.width,
      imageHeight: decoded.height,
    };
  }

  release(_command: CommandEncoding): void {
    this.released += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
