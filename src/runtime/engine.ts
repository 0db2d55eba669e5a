/**
 * GroundingEngine over onnxruntime-node: validates the model at load, keeps every ONNX
 * session in a worker thread, plans each inference with the policies and maps the best
 * anchor back to the original image.
 */
import path from "node:path";

import { describeError, InputError, StateError } from "../errors";
import { boxFromModelPixels, letterboxImage } from "../image";
import { checkGroundingSize } from "../image/encodings";
import { prepareModelInput } from "../image/model-input";
import type { LetterboxTransform } from "../image/types";
import type { Logger } from "../log";
import { silentLogger } from "../log";
import { BlockCostModel } from "./cost-model";
import { headFirstOrder } from "./head-first";
import type { BlockSpec, ModelManifest } from "./manifest";
import { readManifest } from "./manifest-reader";
import type { ExecutionPlan } from "./plan";
import { planExecution } from "./plan";
import { selectBlocks } from "./policies";
import { NICE_RANGE } from "./thread-nice";
import { splitWords, Tokenizer } from "./tokenizer";
import { MAX_TRANSCRIPT_LENGTH } from "./transcript";
import type { Box, CommandEncoding, GroundingEngine, GroundingOutput, GroundOptions, ImageInput } from "./types";
import { FrameBufferPool } from "./frame-buffers";
import { WorkerClient } from "./worker-client";
import { epochMs, workerSetupFor } from "./worker-protocol";
import type { EncodeResult, GroundResult, SerializedTensor, WorkerPixels, WorkerStep } from "./worker-protocol";
import { bestOverHeads, sigmoid } from "./head-output";

/** The shipped model, resolved from the package root (this file is dist/src/runtime/engine.js). */
export const BUNDLED_MODEL_DIR = path.resolve(__dirname, "../../../models/lgmdp-tabletop");

export interface EngineOptions {
  /**
   * ONNX Runtime intra-op threads per block session; default 1. Every block has its own
   * session and thread pool, so values above 1 create up to that many threads per block.
   */
  numThreads?: number;
  /**
   * Nice value of the inference thread, -20..19; the default 0 leaves it as started. Below 0
   * it runs ahead of other processes, which needs CAP_SYS_NICE; without it the engine logs a
   * warning and runs at its default priority.
   */
  nice?: number;
  /** Receives unknown words, worker failures and load messages; default silent. */
  logger?: Logger;
  /** Run the full graph twice at load, so the first real inference is not slower and the cost model starts measured; default true. */
  warmup?: boolean;
  /**
   * Maximum busy wait of the main thread for each inference's result, in ms. The default
   * is 2, and 0 turns busy waiting off. The wait starts when the cost model predicts 0.5 ms
   * of blocks left, so it usually lasts about that long. Waking a sleeping thread took
   * about 0.2 ms of every inference on the 2-core bench VM. Above 0, the inference thread
   * also waits busily, for at most 0.5 ms, for a raw frame's request after a wake-up
   * message that ground() posts before it copies the frame. Both are skipped when a caller
   * reports a slowdown above 1.25, where other processes need the CPU.
   */
  replySpinMs?: number;
}

/** Default and largest value of `EngineOptions.replySpinMs`. */
export const DEFAULT_REPLY_SPIN_MS = 2;
export const MAX_REPLY_SPIN_MS = 10;
/** Above this reported slowdown the CPU is contended, and the main thread sleeps while it waits. */
const MAX_SPIN_SLOWDOWN = 1.25;
/**
 * Predicted time, in ms, between the worker's ReplySoon and its response: enough for
 * the main thread to wake (about 0.2 ms) with margin for the prediction's error.
 */
const REPLY_SOON_LEAD_MS = 0.5;

/**
 * Returns the index of the last step from which at least REPLY_SOON_LEAD_MS of blocks
 * remain. When the steps after the first are predicted shorter than that, it returns 1,
 * so the wait never covers the first block, and undefined for a plan of one step.
 */
function replySoonStep(ordered: ReadonlyArray<{ step: ExecutionPlan["steps"][number] }>, predictMs: (block: BlockSpec) => number): number | undefined {
  let remainingMs = 0;
  for (let index = ordered.length - 1; index > 0; index -= 1) {
    const { step } = ordered[index];
    remainingMs += step.kind === "run" ? predictMs(step.block) : 0;
    if (remainingMs >= REPLY_SOON_LEAD_MS) {
      return index;
    }
  }
  return ordered.length > 1 ? 1 : undefined;
}

/**
 * Time kept free after the worker's deadline for its reply and the box mapping, in ms
 * (an estimate: the reply took about 0.2 ms and the box mapping 0.05 ms on a 2-core machine).
 */
const RESPONSE_ALLOWANCE_MS = 0.3;

/** An image ready for the worker, with what maps its boxes back to original pixels. */
interface PreparedImage {
  pixels: WorkerPixels;
  /** Buffers transferred to the worker with the request; nothing else references them. */
  transfer: ArrayBuffer[];
  /** The pixels are a raw frame's copy in memory from `frameBuffers`, which takes it back after the inference. */
  pooled: boolean;
  transform: LetterboxTransform;
  originalWidth: number;
  originalHeight: number;
  decodeMs: number;
  resizeMs: number;
}

/** One encoded expression, shared by every CommandEncoding with the same token ids. */
interface CachedEncoding {
  key: string;
  handle: number;
  gates: Float32Array;
  textMs: number;
  /** CommandEncoding objects handed out and not yet released. */
  references: number;
}

/** Loads a model directory and starts its inference worker. */
export async function loadGroundingEngine(modelDir: string, options: EngineOptions = {}): Promise<OnnxGroundingEngine> {
  return OnnxGroundingEngine.load(modelDir, options);
}

export class OnnxGroundingEngine implements GroundingEngine {
  readonly costModel = new BlockCostModel();
  private readonly tokenizer: Tokenizer;
  private readonly byKey = new Map<string, Promise<CachedEncoding>>();
  private readonly byHandle = new Map<number, CachedEncoding>();
  private readonly released = new WeakSet<CommandEncoding>();
  /** encode() calls waiting for the worker, by token key. */
  private readonly pendingEncodes = new Map<string, number>();
  private readonly frameBuffers = new FrameBufferPool();
  private closed = false;

  private constructor(
    readonly manifest: ModelManifest,
    private readonly client: WorkerClient,
    private readonly logger: Logger,
  ) {
    this.tokenizer = new Tokenizer(manifest.tokenizer);
  }

  static async load(modelDir: string, options: EngineOptions = {}): Promise<OnnxGroundingEngine> {
    const logger = options.logger ?? silentLogger;
    const numThreads = options.numThreads ?? 1;
    if (!Number.isInteger(numThreads) || numThreads < 1) {
      throw new RangeError(`numThreads is ${numThreads} but must be a positive integer.`);
    }

    const manifest = await readManifest(modelDir);
    // NOTE: a separately trained static model (manifest "staticModel") is validated but not
    // loaded; the static policy runs manifest "static.blocks" of this model's weights.
    const nice = options.nice ?? 0;
    if (!Number.isInteger(nice) || nice < NICE_RANGE.min || nice > NICE_RANGE.max) {
      throw new RangeError(`nice is ${nice} but must be an integer from ${NICE_RANGE.min} to ${NICE_RANGE.max}.`);
    }
    const replySpinMs = options.replySpinMs ?? DEFAULT_REPLY_SPIN_MS;
    if (!Number.isFinite(replySpinMs) || replySpinMs < 0 || replySpinMs > MAX_REPLY_SPIN_MS) {
      throw new RangeError(`replySpinMs is ${replySpinMs} but must be a number of ms from 0 to ${MAX_REPLY_SPIN_MS}; 0 turns busy waiting off.`);
    }
    const client = await WorkerClient.start(workerSetupFor(manifest, numThreads, nice), manifest.manifestPath, logger, replySpinMs);
    const engine = new OnnxGroundingEngine(manifest, client, logger);
    if (options.warmup ?? true) {
      try {
        await engine.warmUp();
      } catch (error) {
        // The caller never gets the engine, so nothing else would stop its worker thread.
        await engine.close();
        throw error;
      }
    }
    logger.info(`Loaded model ${manifest.name} from ${manifest.dir}: ${manifest.blocks.length} blocks, ${manifest.gateCount} gates, ${numThreads} thread(s) per session${nice === 0 ? "" : `, nice ${nice} requested`}.`);
    return engine;
  }

  get modelName(): string {
    return this.manifest.name;
  }

  get gateableBlocks(): readonly string[] {
    return this.manifest.gateableBlocks;
  }

  get objectNouns(): readonly string[] {
    return this.manifest.tokenizer.objectNouns;
  }

  get objectSynonyms(): readonly (readonly string[])[] {
    return this.manifest.tokenizer.objectSynonyms;
  }

  async encode(text: string): Promise<CommandEncoding> {
    this.checkOpen("encode");
    checkExpression(text);
    if (splitWords(text).length === 0) {
      // Only punctuation or symbols: the model would see padding alone and still return a box.
      throw new InputError("expression", "text", "no_words", `Expression ${JSON.stringify(text)} has no words; pass the words that name the object, such as "the red cup".`);
    }

    const tokens = this.tokenizer.tokenize(text);
    if (tokens.unknownWords.length > 0) {
      this.logger.debug(`Expression ${JSON.stringify(text)} has words outside the vocabulary: ${tokens.unknownWords.join(", ")}.`);
    }
    if (tokens.truncatedWords > 0) {
      this.logger.warn(`Expression ${JSON.stringify(text)} has ${tokens.truncatedWords} words beyond the model's ${this.manifest.tokenizer.maxTokens}; they are ignored.`);
    }

    const key = tokenKey(tokens.ids);
    this.pendingEncodes.set(key, (this.pendingEncodes.get(key) ?? 0) + 1);
    let cached: CachedEncoding;
    try {
      cached = await this.encodeTokens(tokens.ids);
    } finally {
      const pending = (this.pendingEncodes.get(key) ?? 1) - 1;
      if (pending === 0) {
        this.pendingEncodes.delete(key);
      } else {
        this.pendingEncodes.set(key, pending);
      }
    }
    cached.references += 1;
    const gates: Record<string, number> = {};
    this.manifest.gateableBlocks.forEach((name, gate) => {
      gates[name] = cached.gates[gate];
    });
    return { expression: text, tokenIds: tokens.ids, unknownWords: tokens.unknownWords, handle: cached.handle, gates };
  }

  async ground(image: ImageInput, command: CommandEncoding, options: GroundOptions): Promise<GroundingOutput> {
    const start = performance.now();
    this.checkOpen("ground");
    const encoding = this.liveEncoding(command);
    // Held until the worker has replied, so that a release() meanwhile cannot free it first.
    encoding.references += 1;
    try {
      return await this.groundEncoded(start, image, encoding, options);
    } finally {
      encoding.references -= 1;
      this.releaseIfUnused(encoding);
    }
  }

  private async groundEncoded(start: number, image: ImageInput, encoding: CachedEncoding, options: GroundOptions): Promise<GroundingOutput> {
    // A raw frame is ready for the worker about 0.1 ms from here; a compressed one takes
    // milliseconds to decode, longer than the worker's wait.
    if (image.kind === "raw" && this.waitsBusily(options.slowdown ?? 1)) {
      this.client.wake();
    }
    const selection = selectBlocks(this.manifest, encoding.gates, options, this.costModel);
    const plan = planExecution(this.manifest, selection.selected, selection.approximate);
    const predictedMs = this.predictMs(plan);

    const source = options.source ?? (image.kind === "file" ? image.path : "image");
    const prepared = await this.prepareImage(image, source);
    // Under the budget policy the worker stops adding heads at the deadline. The deadline
    // is an instant in real ms, so a wait behind another caller's request counts against it.
    const slowdown = options.slowdown ?? 1;
    const postedAtMs = epochMs();
    const deadlineAtMs = selection.budgetMs === undefined ? null : postedAtMs + selection.budgetMs * slowdown - (performance.now() - start) - RESPONSE_ALLOWANCE_MS;
    const { result, ran } = await this.runPlan(encoding.handle, prepared, plan, deadlineAtMs, slowdown);
    // Waiting behind another caller's request is not part of this plan's cost.
    const queuedMs = Math.max(0, result.startedAtMs - postedAtMs);
    const stopped = ran.length < plan.executedBlocks.length;
    const ranNames = new Set(ran.map((block) => block.name));
    const ranPredictedMs = stopped ? this.predictBlocksMs(ran) : predictedMs;
    // Before this frame's times update the cost model, so that both predictions agree.
    const floorMs = selection.budgetMs === undefined ? undefined : this.floorMs(selection.approximate);

    const postStart = performance.now();
    const best = bestOverHeads(result.best);
    const score = best === undefined ? 0 : sigmoid(best.logit);
    const box: Box | null =
      best === undefined ? null : boxFromModelPixels(best.cx, best.cy, best.w, best.h, prepared.transform, prepared.originalWidth, prepared.originalHeight);
    const minScore = options.minScore ?? this.manifest.thresholds.score;
    const end = performance.now();

    const blockTotalMs = Object.values(result.blockMs).reduce((sum, ms) => sum + ms, 0);
    this.costModel.observe(ran, result.blockMs, end - start - blockTotalMs - queuedMs);
    const preprocessMs = prepared.resizeMs + result.preprocessMs;
    const postprocessMs = result.selectMs + (end - postStart);

    return {
      // A box that lies entirely in the letterbox padding has no area in the image.
      status: box !== null && box.width > 0 && box.height > 0 && score >= minScore ? "grounded" : "not_found",
      box,
      score,
      policy: options.policy,
      // Reported in manifest order, whatever order the worker ran them in.
      // A copy: the plan's own list is shared with later inferences.
      executedBlocks: stopped ? plan.executedBlocks.filter((name) => ranNames.has(name)) : [...plan.executedBlocks],
      computeRatio: stopped ? ran.reduce((sum, block) => sum + block.flops, 0) / this.manifest.fullFlops : plan.computeRatio,
      ...(selection.budgetMs === undefined ? {} : { budgetMs: selection.budgetMs, predictedMs: ranPredictedMs, floorMs }),
      ...(stopped ? { stoppedAtDeadline: true } : {}),
      latencyMs: {
        decode: prepared.decodeMs,
        preprocess: preprocessMs,
        text: 0,
        ...result.blockMs,
        postprocess: postprocessMs,
        // Planning, messages to and from the worker and waiting for it: the rest of total.
        dispatch: Math.max(0, end - start - prepared.decodeMs - preprocessMs - blockTotalMs - postprocessMs),
        total: end - start,
      },
      imageWidth: prepared.originalWidth,
      imageHeight: prepared.originalHeight,
    };
  }

  release(command: CommandEncoding): void {
    if (this.released.has(command)) {
      return;
    }
    this.released.add(command);
    const cached = this.byHandle.get(command.handle);
    if (cached === undefined) {
      return;
    }
    cached.references -= 1;
    this.releaseIfUnused(cached);
  }

  /**
   * Frees the worker's sentence embedding once no command, no ground() in progress and no
   * encode() of the same words still in progress uses it. Without the last two, a release
   * could reach the worker before a request that was already under way.
   */
  private releaseIfUnused(cached: CachedEncoding): void {
    if (cached.references > 0 || (this.pendingEncodes.get(cached.key) ?? 0) > 0 || this.byHandle.get(cached.handle) !== cached || this.closed) {
      return;
    }
    this.byHandle.delete(cached.handle);
    this.byKey.delete(cached.key);
    this.client.request({ type: "release", handle: cached.handle }).catch((error: unknown) => {
      // close() right after release() terminates the worker first, which frees everything anyway.
      if (!this.closed) {
        this.logger.warn(`Releasing command handle ${cached.handle} failed: ${describeError(error)}`);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.client.close();
  }

  /** Runs one block (or "text") on given tensors; for parity tests against exported goldens. */
  async runBlock(name: string, feeds: Record<string, SerializedTensor>): Promise<Record<string, SerializedTensor>> {
    this.checkOpen("runBlock");
    return this.client.request<Record<string, SerializedTensor>>({ type: "runBlock", block: name, feeds });
  }

  /** Predicted ms of a plan under the current cost model, non-block overhead included. */
  predictMs(plan: ExecutionPlan): number {
    return this.predictBlocksMs(this.runBlocks(plan));
  }

  /**
   * Predicted ms of the fewest blocks that still give a box, non-block overhead included.
   * That is the cheapest first head segment (see head-first.ts) of the plan without gated
   * blocks when some head runs that way, else of the plans with one fusion branch. With
   * `approximate`, a head fed by an approximator counts too, because it may be the
   * cheaper segment.
   */
  floorMs(approximate = true): number {
    const firstSegmentMs = (plan: ExecutionPlan): number =>
      headFirstOrder(plan.steps, (block) => this.costModel.predictMs(block))[0]?.segmentMs ?? Number.POSITIVE_INFINITY;
    const bare = planExecution(this.manifest, new Set(), approximate);
    const plans =
      bare.heads.length > 0
        ? [bare]
        : this.manifest.blocks
            .filter((block) => block.kind === "fusion" && block.gate !== null)
            .map((fusion) => planExecution(this.manifest, new Set([fusion.name]), approximate));
    return this.costModel.overheadMs + Math.min(...plans.map(firstSegmentMs));
  }

  /** Predicted ms of running these blocks, non-block overhead included. */
  private predictBlocksMs(blocks: readonly BlockSpec[]): number {
    return blocks.reduce((sum, block) => sum + this.costModel.predictMs(block), this.costModel.overheadMs);
  }

  private runBlocks(plan: ExecutionPlan): ModelManifest["blocks"] {
    return plan.steps.flatMap((step) => (step.kind === "run" ? [step.block] : []));
  }

  /**
   * Decodes as needed and hands the pixels' buffer to the worker, which sends it back with
   * its result. A raw frame is copied into pooled memory, so the copy costs no page faults.
   */
  private async prepareImage(image: ImageInput, source: string): Promise<PreparedImage> {
    const { input } = this.manifest;
    const prepared = await prepareModelInput(image, { width: input.width, height: input.height, padValue: input.padValue }, source, (bytes) =>
      this.frameBuffers.take(bytes),
    );
    try {
      checkGroundingSize(prepared.originalWidth, prepared.originalHeight, source);
    } catch (error) {
      if (prepared.kind === "pixels" && image.kind === "raw") {
        this.frameBuffers.recycle(prepared.pixels.data);
      }
      throw error;
    }
    const pixels: WorkerPixels =
      prepared.kind === "pixels"
        ? { kind: "pixels", pixels: prepared.pixels, transform: prepared.transform, padValue: input.padValue }
        : { kind: "letterboxed", rgb: prepared.rgb };
    const buffer = prepared.kind === "pixels" ? prepared.pixels.data.buffer : prepared.rgb.buffer;
    return { ...prepared, pixels, transfer: [buffer as ArrayBuffer], pooled: image.kind === "raw" };
  }

  /** Runs the plan in head-first order and returns the worker's result and the blocks that ran. */
  private async runPlan(
    handle: number,
    image: PreparedImage,
    plan: ExecutionPlan,
    deadlineAtMs: number | null,
    slowdown: number,
  ): Promise<{ result: GroundResult; ran: BlockSpec[] }> {
    const ordered = headFirstOrder(plan.steps, (block) => this.costModel.predictMs(block) * slowdown);
    const steps: WorkerStep[] = ordered.map(({ step, segmentMs }) => ({
      ...(step.kind === "run" ? { kind: "run" as const, block: step.block.name } : { kind: "alias" as const, from: step.from, to: step.to }),
      ...(segmentMs === undefined ? {} : { segmentMs }),
    }));
    const heads = plan.heads.map((head) => ({ block: head.name, output: head.outputs[0] }));
    const replySoonAtStep = this.waitsBusily(slowdown) ? replySoonStep(ordered, (block) => this.costModel.predictMs(block) * slowdown) : undefined;
    const result = await this.client.request<GroundResult>(
      { type: "ground", handle, image: image.pixels, steps, heads, deadlineAtMs, ...(replySoonAtStep === undefined ? {} : { replySoonAtStep }) },
      image.transfer,
    );
    if (image.pooled) {
      this.frameBuffers.recycle(result.pixels);
    }
    const ran = ordered.slice(0, result.completedSteps).flatMap(({ step }) => (step.kind === "run" ? [step.block] : []));
    return { result, ran };
  }

  private encodeTokens(ids: number[]): Promise<CachedEncoding> {
    const key = tokenKey(ids);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      entry = this.client.request<EncodeResult>({ type: "encode", tokens: BigInt64Array.from(ids, (id) => BigInt(id)) }).then((result) => {
        const cached: CachedEncoding = { key, handle: result.handle, gates: result.gates, textMs: result.ms, references: 0 };
        this.byHandle.set(result.handle, cached);
        return cached;
      });
      entry.catch(() => this.byKey.delete(key));
      this.byKey.set(key, entry);
    }
    return entry;
  }

  private liveEncoding(command: CommandEncoding): CachedEncoding {
    const cached = this.byHandle.get(command.handle);
    if (cached === undefined || this.released.has(command)) {
      throw new StateError(`ground() received the command ${JSON.stringify(command.expression)} after release(); call encode() again.`);
    }
    return cached;
  }

  /**
   * Runs every block twice on a uniform grey image, because a session's first run is
   * several times slower than later ones, and feeds the second runs to the cost model.
   * Besides the full graph, one plan per fusion branch with the other branches
   * approximated reaches the approximators.
   */
  private async warmUp(): Promise<void> {
    const { input, tokenizer, gateableBlocks } = this.manifest;
    const cached = await this.encodeTokens(new Array<number>(tokenizer.maxTokens).fill(tokenizer.padId));

    // The first sharp pipeline in a process is slow too. Without this warm-up, the first
    // frame would dominate the cost model's estimate of the time outside the blocks.
    const tiny: ImageInput = { kind: "raw", encoding: "rgb8", width: 2, height: 2, step: 6, isBigEndian: false, data: new Uint8Array(12) };
    await letterboxImage(tiny, { width: input.width, height: input.height, padValue: input.padValue }, "warm-up image");
    // A frame of the input size also compiles the worker's tensor builder before real frames.
    const greyFrame: ImageInput = {
      kind: "raw",
      encoding: "rgb8",
      width: input.width,
      height: input.height,
      step: input.width * 3,
      isBigEndian: false,
      data: new Uint8Array(input.width * input.height * 3).fill(input.padValue),
    };

    const fusions = this.manifest.blocks.filter((block) => block.kind === "fusion" && block.gate !== null).map((block) => block.name);
    const plans = [
      planExecution(this.manifest, new Set(gateableBlocks), false),
      ...fusions.map((kept) => planExecution(this.manifest, new Set(gateableBlocks.filter((name) => !fusions.includes(name) || name === kept)), true)),
    ];
    for (const plan of plans) {
      for (let run = 0; run < 2; run += 1) {
        const { result } = await this.runPlan(cached.handle, await this.prepareImage(greyFrame, "warm-up image"), plan, null, 1);
        if (run === 1) {
          this.costModel.observe(this.runBlocks(plan), result.blockMs);
        }
      }
    }
    this.byHandle.delete(cached.handle);
    this.byKey.delete(cached.key);
    await this.client.request({ type: "release", handle: cached.handle });
  }

  /** Returns whether the threads wait busily for each other at this reported slowdown. */
  private waitsBusily(slowdown: number): boolean {
    return this.client.spins && slowdown <= MAX_SPIN_SLOWDOWN;
  }

  private checkOpen(method: string): void {
    if (this.closed) {
      throw new StateError(`GroundingEngine.${method}() was called after close(); load the model again with loadGroundingEngine().`);
    }
  }
}

function checkExpression(text: unknown): asserts text is string {
  if (typeof text !== "string") {
    throw new InputError("expression", "text", "not_text", `Expression must be a string but received ${typeof text}.`);
  }
  if (text.trim() === "") {
    throw new InputError("expression", "text", "empty", "Expression is empty; pass the words that name the object, such as \"the red cup\".");
  }
  if (text.length > MAX_TRANSCRIPT_LENGTH) {
    throw new InputError(
      "expression",
      "text",
      "too_long",
      `Expression is ${text.length} characters long; the maximum is ${MAX_TRANSCRIPT_LENGTH}, so pass one referring expression.`,
    );
  }
}

/** Cache key of an encoding: equal token ids give equal sentence embeddings. */
function tokenKey(ids: readonly number[]): string {
  return ids.join(",");
}
