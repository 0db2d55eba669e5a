/**
 * Starts the real node (rclnodejs transport, grounding stream, src/image decoding) on the
 * fake rclnodejs, with a fake engine that decodes each image for real and returns a box
 * in the middle of it.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import sharp from "sharp";

import { decodeImage } from "../../src/image";
import type { CompressedImage, Image } from "../../src/msgs";
import type { CommandEncoding, GroundingEngine, GroundingOutput, GroundOptions, ImageInput } from "../../src/runtime/types";
import { renderDebugImage } from "../../src/ros/debug-image";
import type { LoadEngine } from "../../src/ros/grounding-node";
import { startGroundingNode, RunningNode } from "../../src/ros/run-node";
import { createGroundingStream } from "../../src/stream";
import { FakeQoS, FakeRclnodejs } from "./fake-rclnodejs";

export const REPO_ROOT = resolve(__dirname, "../../..");

let modelDir: string | undefined;

/**
 * Returns a model directory that configure accepts, which checks only for manifest.json.
 * One directory serves every test and is removed when the process exits.
 */
export function fakeModelDir(): string {
  if (modelDir === undefined) {
    const directory = mkdtempSync(join(tmpdir(), "softskip-ros-model-"));
    writeFileSync(join(directory, "manifest.json"), "{}");
    process.on("exit", () => rmSync(directory, { recursive: true, force: true }));
    modelDir = directory;
  }
  return modelDir;
}

export interface FakeEngineOptions {
  /** Score every grounding gets; >= min_score means grounded. */
  score?: number;
  /** Makes loading fail with this error. */
  loadError?: Error;
}

export class FakeEngine implements GroundingEngine {
  readonly modelName = "fake-model";
  readonly gateableBlocks = ["stage4.res1", "fuse.s8"];
  readonly objectNouns = ["mug", "bowl", "coffee mug", "cup"];
  readonly calls: { expression: string; options: GroundOptions }[] = [];
  closed = false;
  released = 0;
  private nextHandle = 1;

  constructor(private readonly score = 0.9) {}

  async encode(text: string): Promise<CommandEncoding> {
    return { expression: text, tokenIds: [], unknownWords: [], handle: this.nextHandle++, gates: {} };
  }

  async ground(image: ImageInput, command: CommandEncoding, options: GroundOptions): Promise<GroundingOutput> {
    const decoded = await decodeImage(image, "fake engine");
    this.calls.push({ expression: command.expression, options });
    const minScore = options.minScore ?? 0.5;
    return {
      status: this.score >= minScore ? "grounded" : "not_found",
      box: { x: decoded.width / 4, y: decoded.height / 4, width: decoded.width / 2, height: decoded.height / 2 },
      score: this.score,
      policy: options.policy,
      executedBlocks: ["stem", "fuse.s8"],
      computeRatio: 0.5,
      budgetMs: options.budgetMs,
      latencyMs: { total: 1 },
      imageWidth: decoded.width,
      imageHeight: decoded.height,
    };
  }

  release(): void {
    this.released += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export interface TestNode {
  rcl: FakeRclnodejs;
  running: RunningNode;
  engine: FakeEngine;
  signals: EventEmitter;
  modelDirs: string[];
}

export interface StartOptions extends FakeEngineOptions {
  lifecycle?: boolean;
  /** Loads the model instead of returning the fake engine, e.g. the real ONNX runtime. */
  loadEngine?: LoadEngine;
  /** Arguments after `--ros-args`. */
  rosArgs?: string[];
  /** Stands in for the process's signal events; tests emit SIGINT on it. */
  signals?: EventEmitter;
  /** The node's clock for arrival times and ages, in ms. */
  now?: () => number;
  rcl?: FakeRclnodejs;
}

export async function startTestNode(options: StartOptions = {}): Promise<TestNode> {
  const rcl = options.rcl ?? FakeRclnodejs.create();
  const engine = new FakeEngine(options.score);
  const signals = options.signals ?? new EventEmitter();
  const modelDirs: string[] = [];
  const running = await startGroundingNode({
    rclnodejs: rcl,
    argv: ["node", "softskip", "--ros-args", ...(options.rosArgs ?? [])],
    lifecycle: options.lifecycle ?? false,
    loadEngine: async (modelDir, engineOptions) => {
      modelDirs.push(modelDir);
      if (options.loadEngine) {
        return options.loadEngine(modelDir, engineOptions);
      }
      if (options.loadError) {
        throw options.loadError;
      }
      return engine;
    },
    createStream: createGroundingStream,
    renderDebugImage,
    bundledModelDir: fakeModelDir(),
    signals,
    now: options.now,
  });
  return { rcl, running, engine, signals, modelDirs };
}

/** A publisher's QoS as a camera driver (best effort) or a speech node (reliable) offers it. */
export const CAMERA_QOS = new FakeQoS(1, 5, 2, 2);
export const RELIABLE_PUBLISHER_QOS = new FakeQoS(1, 10, 1, 2);

export function stamp(sec: number, nanosec = 0): { sec: number; nanosec: number } {
  return { sec, nanosec };
}

/** Builds an image (rgb8 unless `encoding` says otherwise) with `padding` extra bytes per row. */
export function rgbImage(width: number, height: number, options: { sec?: number; padding?: number; encoding?: string; channels?: number } = {}): Image {
  const channels = options.channels ?? 3;
  const step = width * channels + (options.padding ?? 0);
  const data = new Uint8Array(step * height);
  data.fill(200);
  return {
    header: { stamp: stamp(options.sec ?? 100, 5), frame_id: "camera_optical_frame" },
    height,
    width,
    encoding: options.encoding ?? "rgb8",
    is_bigendian: 0,
    step,
    data,
  };
}

export async function jpegImage(width: number, height: number, format: string, sec = 100): Promise<CompressedImage> {
  const encoded = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .jpeg()
    .toBuffer();
  return { header: { stamp: stamp(sec, 7), frame_id: "camera_optical_frame" }, format, data: new Uint8Array(encoded) };
}

export async function pngImage(width: number, height: number, format: string, sec = 100): Promise<CompressedImage> {
  const encoded = await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 10, b: 200 } } })
    .png()
    .toBuffer();
  return { header: { stamp: stamp(sec, 9), frame_id: "camera_optical_frame" }, format, data: new Uint8Array(encoded) };
}

/** Publishes as another node on the graph would. */
export function publish(rcl: FakeRclnodejs, topic: string, type: string, qos: FakeQoS, message: unknown): void {
  rcl.graph.deliver(topic, type, qos, message);
}

/**
 * Waits until `condition` holds, yielding to the event loop between checks. Bounded by a
 * number of turns, not by time, so a slow machine only makes it slower.
 */
export async function waitUntil(condition: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) {
    if (condition()) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`Timed out waiting for ${what}.`);
}
