/**
 * `replayBag`: plays a bag through the same grounding stream as the ROS node, with the
 * bag as the camera and microphone, and writes the node's outputs into an MCAP bag.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";

import { BehaviorSubject, Subject, type Subscription } from "rxjs";

import { openBag, type BagMessage, type BagReader, type QosProfile } from "../bag";
import { ArgumentError, BagError, describeError, InputError, SoftSkipError } from "../errors";
import { RateLimitedLog, silentLogger, type Logger } from "../log";
import { stampFromMessage, timeFromNs, type GroundingResult } from "../msgs";
import { frameFromMessage, transcriptFromMessage } from "../ros/inputs";
import { parseTranscript } from "../runtime/transcript";
import type { ImageInput } from "../runtime/types";
import { createGroundingStream } from "../stream";
import type { FrameInput, StreamEvent, TranscriptInput } from "../stream/types";
import { createMaxRateClock, createRealTimeClock, type ReplayClock } from "./clock";
import { OutputBag } from "./output-bag";
import { ReplayStatistics, stampKey } from "./statistics";
import { selectReplayTopics, type ReplayTopics } from "./topics";
import { TrackedEngine } from "./tracked-engine";
import type { ReplayOptions, ReplayResult, ReplaySummary, ScheduledCommand } from "./types";

/** Thrown by `replayBag` when `options.signal` aborts it; the output bag is deleted. */
export class ReplayInterruptedError extends SoftSkipError {
  constructor(readonly messagesRead: number) {
    super("INVALID_STATE", `Replay interrupted after ${messagesRead} messages; no output bag was written.`);
  }
}

/** Frames remembered for matching results to log times and images; the stream keeps at most two. */
const MAX_REMEMBERED_FRAMES = 32;

interface RememberedFrame {
  logTimeNs: bigint;
  image?: ImageInput;
}

/**
 * Replays `options.bagPath`. Throws BagError for a bag that cannot be read, ArgumentError
 * for bad options or topics, and the stream's error when the engine fails. After any of
 * these the output bag is deleted, so no truncated output is left.
 */
export async function replayBag(options: ReplayOptions): Promise<ReplayResult> {
  checkOptions(options);
  const logger = options.logger ?? silentLogger;
  const bag = await openBag(options.bagPath, { logger });
  let output: OutputBag | undefined;
  try {
    if (bag.topics.length === 0 && bag.truncatedFiles.length > 0) {
      throw new BagError(
        options.bagPath,
        `Bag ${options.bagPath} ends before its first complete message (truncated: ${bag.truncatedFiles.join(", ")}); if it is still being recorded, replay it once the recording has stopped.`,
      );
    }
    const topics = selectReplayTopics(bag.topics, {
      transport: options.parameters.image_transport,
      imageTopic: options.imageTopic,
      transcriptTopic: options.transcriptTopic,
      useTranscripts: options.commands === undefined,
      bagPath: options.bagPath,
    });
    logger.info(describeTopics(options, topics));

    if (options.outPath !== undefined) {
      await mkdir(dirname(options.outPath), { recursive: true });
      output = await OutputBag.create(options.outPath);
    }
    const session = new ReplaySession(options, bag, topics, output, logger);
    const summary = await session.run();
    await output?.close();
    return { summary, results: session.statistics.results, topics: bag.topics };
  } catch (error) {
    await output?.abort();
    throw error;
  } finally {
    await bag.close();
  }
}

function checkOptions(options: ReplayOptions): void {
  if (options.rate !== "max" && !(typeof options.rate === "number" && Number.isFinite(options.rate) && options.rate > 0)) {
    throw new ArgumentError(`Invalid rate ${String(options.rate)}: expected "max" or a positive number such as 1.`);
  }
  for (const command of options.commands ?? []) {
    if (!Number.isFinite(command.timeS) || command.timeS < 0 || typeof command.text !== "string") {
      throw new ArgumentError(`Invalid command ${JSON.stringify(command)}: expected {timeS >= 0, text}.`);
    }
  }
}

function describeTopics(options: ReplayOptions, topics: ReplayTopics): string {
  const commands =
    options.commands !== undefined
      ? `${options.commands.length} command(s) from ${options.commands.some((command) => command.source?.startsWith("--commands") === true) ? "the --commands file" : "--command"}`
      : topics.transcript !== null
        ? `transcripts from ${topics.transcript}`
        : "no transcripts (the bag has no std_msgs/msg/String topic; pass --command)";
  const truth = topics.groundTruth !== null ? `, ground truth from ${topics.groundTruth}` : "";
  return `Replaying ${options.bagPath}: images from ${topics.image.name} (${topics.image.kind}), ${commands}${truth}, rate ${options.rate}.`;
}

class ReplaySession {
  readonly statistics = new ReplayStatistics();
  private readonly engine: TrackedEngine;
  private readonly clock: ReplayClock;
  private readonly frames = new Subject<FrameInput>();
  private readonly transcripts = new Subject<TranscriptInput>();
  /**
   * Frames by header object: the stream's events carry the frame's own header, so frames
   * that share a stamp (a camera that repeats stamps) are still distinguished.
   */
  private readonly remembered = new Map<FrameInput["header"], RememberedFrame>();
  /** The frame recalled last, because a stale frame's drop and its no_image event name the same header. */
  private lastRecalled: { header: FrameInput["header"]; frame: RememberedFrame } | undefined;
  private readonly warnings: RateLimitedLog;
  private readonly pendingCommands: ScheduledCommand[];
  private firstLogTimeNs: bigint | undefined;
  private lastLogTimeNs = 0n;
  /** Log time of the last result written, for the messages that end its command. */
  private lastResultLogTimeNs = 0n;
  /** Camera frame id of the last frame read, for the messages that end a command. */
  private lastFrameId = "";
  /** Log time of the last frame or transcript given to the stream, scheduled commands included. */
  private inputLogTimeNs = 0n;
  private lastTranscript = { text: "", expression: "" };
  private streamFailure: { error: unknown } | undefined;
  private subscription: Subscription | undefined;

  constructor(
    private readonly options: ReplayOptions,
    private readonly bag: BagReader,
    private readonly topics: ReplayTopics,
    private readonly output: OutputBag | undefined,
    private readonly logger: Logger,
  ) {
    this.engine = new TrackedEngine(options.engine);
    this.clock = options.rate === "max" ? createMaxRateClock() : createRealTimeClock(options.rate, options.signal);
    this.warnings = new RateLimitedLog(logger, 2000);
    this.pendingCommands = [...(options.commands ?? [])];
  }

  async run(): Promise<ReplaySummary> {
    const startMs = performance.now();
    const finished = this.subscribeStream();
    // Observed here so that a stream failure during the message loop is not reported as
    // an unhandled rejection; it is rethrown by the await below.
    finished.catch(() => undefined);
    try {
      await this.playMessages();
      await finished;
    } finally {
      this.subscription?.unsubscribe();
    }
    return this.summarize((performance.now() - startMs) / 1000);
  }

  private async playMessages(): Promise<void> {
    if (this.options.includeInput === true) {
      this.output?.addInputTopic(this.topics.image.name, this.topics.image.kind === "raw" ? "sensor_msgs/msg/Image" : "sensor_msgs/msg/CompressedImage", this.recordedQos(this.topics.image.name));
      if (this.topics.transcript !== null) {
        this.output?.addInputTopic(this.topics.transcript, "std_msgs/msg/String", this.recordedQos(this.topics.transcript));
      }
    }

    const total = this.bag.messageCount;
    for await (const message of this.bag.messages()) {
      if (this.streamFailure !== undefined) {
        break;
      }
      this.throwIfInterrupted();
      this.firstLogTimeNs ??= message.logTimeNs;
      this.lastLogTimeNs = message.logTimeNs;
      await this.issueCommandsUntil(message.logTimeNs);
      await this.handleMessage(message);
      this.statistics.messages += 1;
      this.options.onProgress?.(this.statistics.messages, total);
    }
    await this.issueCommandsUntil(undefined);

    this.frames.complete();
    this.transcripts.complete();
  }

  private recordedQos(topic: string): QosProfile[] {
    return this.bag.topics.find((candidate) => candidate.name === topic)?.qos ?? [];
  }

  private throwIfInterrupted(): void {
    if (this.options.signal?.aborted === true) {
      throw new ReplayInterruptedError(this.statistics.messages);
    }
  }

  /** Subscribes the stream; the promise settles when it completes or fails. */
  private subscribeStream(): Promise<void> {
    const stream = createGroundingStream({
      engine: this.engine,
      frames: this.frames,
      transcripts: this.transcripts,
      parameters: new BehaviorSubject(this.options.parameters),
      scheduler: this.clock.scheduler,
      logger: this.logger,
      dropWhileBusy: this.options.rate !== "max",
    });
    return new Promise<void>((resolve, reject) => {
      const fail = (error: unknown): void => {
        this.streamFailure ??= { error };
        reject(error);
      };
      this.subscription = stream.subscribe({
        // An exception thrown out of a subscriber would be rethrown asynchronously by rxjs
        // and end the process, so a failure to record an event fails the replay instead.
        next: (event) => {
          try {
            this.onEvent(event);
          } catch (error) {
            fail(error);
          }
        },
        error: fail,
        complete: () => resolve(),
      });
    });
  }

  /** Issues scheduled commands due at or before `logTimeNs` (all remaining ones when undefined). */
  private async issueCommandsUntil(logTimeNs: bigint | undefined): Promise<void> {
    while (this.pendingCommands.length > 0) {
      const command = this.pendingCommands[0];
      const dueNs = (this.firstLogTimeNs ?? 0n) + BigInt(Math.round(command.timeS * 1e9));
      if (logTimeNs !== undefined && dueNs > logTimeNs) {
        return;
      }
      this.pendingCommands.shift();
      if (logTimeNs === undefined && this.firstLogTimeNs !== undefined && dueNs > this.lastLogTimeNs) {
        const endS = Number(this.lastLogTimeNs - this.firstLogTimeNs) / 1e9;
        this.logger.warn(
          `Command ${JSON.stringify(command.text)} at ${command.timeS} s comes after the bag's last message at ${endS.toFixed(1)} s, so no frame follows it; give it an earlier time.`,
        );
      }
      // Past the bag's end no frame follows, so waiting until the command's time at --rate 1
      // would only delay the end (by minutes for a time given in ms by mistake).
      this.inputLogTimeNs = logTimeNs === undefined ? this.lastLogTimeNs : dueNs;
      const receivedAtMs = await this.arrive(this.inputLogTimeNs);
      await this.pushTranscript({ text: command.text, receivedAtMs, topic: command.source ?? "--command" });
    }
  }

  /** Waits on the clock; an abort during the wait becomes ReplayInterruptedError. */
  private async arrive(logTimeNs: bigint): Promise<number> {
    try {
      return await this.clock.arrive(logTimeNs);
    } catch (error) {
      this.throwIfInterrupted();
      throw error;
    }
  }

  private async handleMessage(message: BagMessage): Promise<void> {
    const isImage = message.topic === this.topics.image.name;
    const isTranscript = message.topic === this.topics.transcript;
    if (message.topic === this.topics.groundTruth) {
      this.readGroundTruth(message);
      return;
    }
    if (!isImage && !isTranscript) {
      return;
    }
    if (this.options.includeInput === true) {
      this.output?.writeInput(message.topic, message.logTimeNs, message.data);
    }

    this.inputLogTimeNs = message.logTimeNs;
    const receivedAtMs = await this.arrive(message.logTimeNs);
    try {
      if (isImage) {
        const frame = frameFromMessage(message.decode(), this.topics.image.kind, message.topic, receivedAtMs);
        await this.pushFrame(frame, message.logTimeNs);
      } else {
        await this.pushTranscript(transcriptFromMessage(message.decode(), message.topic, receivedAtMs));
      }
    } catch (error) {
      if (!(error instanceof InputError)) {
        throw error;
      }
      this.statistics.countRejection(error.reason, isImage);
      if (isImage) {
        this.statistics.framesReceived += 1;
      }
      this.warnings.warn(`${message.topic}:${error.reason}`, `Rejected a message on ${message.topic}: ${error.message}`);
    }
  }

  private async pushFrame(frame: FrameInput, logTimeNs: bigint): Promise<void> {
    this.statistics.framesReceived += 1;
    this.lastFrameId = frame.header.frame_id;
    this.remember(frame, logTimeNs);
    this.frames.next(frame);
    if (this.options.rate === "max") {
      await this.engine.idle();
    }
  }

  private async pushTranscript(transcript: TranscriptInput): Promise<void> {
    try {
      const parsed = parseTranscript(transcript.text, transcript.topic);
      if (parsed.kind === "command") {
        this.statistics.commands += 1;
        this.lastTranscript = { text: transcript.text, expression: parsed.expression };
      }
    } catch {
      // The stream rejects it with the reason and counts it through its event.
    }
    this.transcripts.next(transcript);
    if (this.options.rate === "max") {
      await this.engine.idle();
    }
  }

  private readGroundTruth(message: BagMessage): void {
    try {
      const truth = message.decode() as GroundingResult;
      this.statistics.groundTruth.set(stampKey(stampFromMessage(truth.header.stamp)).toString(), truth);
    } catch (error) {
      this.warnings.warn("ground-truth", `Ignoring an unreadable ground-truth message on ${message.topic}: ${describeError(error)}`);
    }
  }

  private remember(frame: FrameInput, logTimeNs: bigint): void {
    this.remembered.set(frame.header, { logTimeNs, image: this.options.onResultImage !== undefined ? frame.image : undefined });
    if (this.remembered.size > MAX_REMEMBERED_FRAMES) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) {
        this.remembered.delete(oldest);
      }
    }
  }

  private recall(header: FrameInput["header"] | undefined): RememberedFrame {
    if (header === undefined) {
      return { logTimeNs: this.lastLogTimeNs };
    }
    if (this.lastRecalled?.header === header) {
      return this.lastRecalled.frame;
    }
    const frame = this.remembered.get(header) ?? this.rememberedByStamp(header);
    if (frame === undefined) {
      return { logTimeNs: this.lastLogTimeNs };
    }
    this.remembered.delete(header);
    this.lastRecalled = { header, frame };
    return frame;
  }

  /** Returns the oldest remembered frame with this header's stamp, for an event whose header is a copy. */
  private rememberedByStamp(header: FrameInput["header"]): RememberedFrame | undefined {
    const key = stampKey(header.stamp);
    for (const [remembered, frame] of this.remembered) {
      if (stampKey(remembered.stamp) === key) {
        this.remembered.delete(remembered);
        return frame;
      }
    }
    return undefined;
  }

  private onEvent(event: StreamEvent): void {
    switch (event.kind) {
      case "result":
        this.onResult(event);
        return;
      case "dropped":
        this.statistics.framesDropped += 1;
        this.recall(event.header);
        return;
      case "rejected": {
        const isFrame = event.topic === this.topics.image.name;
        // The stream has already logged it, rate-limited.
        this.statistics.countRejection(event.reason, isFrame);
        const frame = this.recall(event.header);
        if (event.header !== undefined) {
          this.output?.writeRejection(
            event,
            {
              header: event.header,
              transcript: event.transcript ?? this.lastTranscript.text,
              expression: this.lastTranscript.expression,
              policy: this.options.parameters.policy,
              budgetMs: this.options.parameters.latency_budget_ms,
              commandId: event.commandId ?? 0,
            },
            frame.logTimeNs,
          );
        }
        return;
      }
      case "ended": {
        // When the node would publish: at the stop, or with the result that was in flight.
        const logTimeNs = this.inputLogTimeNs > this.lastResultLogTimeNs ? this.inputLogTimeNs : this.lastResultLogTimeNs;
        this.output?.writeCommandEnded({ stamp: timeFromNs(logTimeNs), frame_id: this.lastFrameId }, logTimeNs);
        return;
      }
      case "no_image": {
        this.statistics.noImage += 1;
        const frame = this.recall(event.header);
        this.output?.writeNoImage({
          // As the node stamps it with its clock: here the bag time of the command.
          header: event.header ?? { stamp: timeFromNs(frame.logTimeNs), frame_id: "" },
          transcript: event.command.transcript,
          expression: event.command.expression,
          policy: this.options.parameters.policy,
          budgetMs: this.options.parameters.latency_budget_ms,
          commandId: event.command.id,
        }, frame.logTimeNs);
        return;
      }
    }
  }

  private onResult(event: Extract<StreamEvent, { kind: "result" }>): void {
    const frame = this.recall(event.header);
    const record = {
      commandId: event.command.id,
      transcript: event.command.transcript,
      expression: event.command.expression,
      status: event.output.status,
      box: event.output.box,
      score: event.output.score,
      stampNs: stampKey(event.header.stamp),
      logTimeNs: frame.logTimeNs,
      endToEndMs: event.endToEndMs,
      budgetMs: event.budgetMs,
      computeRatio: event.output.computeRatio,
    };
    this.statistics.results.push(record);
    // Published when the result would be: the frame's log time plus the measured latency.
    const logTimeNs = frame.logTimeNs + BigInt(Math.max(0, Math.round(event.endToEndMs * 1e6)));
    this.lastResultLogTimeNs = logTimeNs;
    this.output?.writeResult(event, logTimeNs);
    if (frame.image !== undefined) {
      this.options.onResultImage?.({ commandId: event.command.id, image: frame.image, result: record });
    }
  }

  private summarize(wallTimeS: number): ReplaySummary {
    const statistics = this.statistics;
    const processed = statistics.results.length;
    const accuracy = statistics.accuracy();
    for (const result of statistics.results) {
      const truthBox = statistics.truthBox(result);
      if (truthBox !== undefined) {
        result.truthBox = truthBox;
      }
    }
    return {
      bag: this.options.bagPath,
      output: this.output?.path ?? null,
      messages: statistics.messages,
      imageTopic: this.topics.image.name,
      transcriptTopic: this.topics.transcript,
      frames: {
        received: statistics.framesReceived,
        processed,
        dropped: statistics.framesDropped,
        rejected: statistics.framesRejected,
        idle: Math.max(0, statistics.framesReceived - processed - statistics.framesDropped - statistics.framesRejected),
      },
      rejected: Object.fromEntries(statistics.rejected),
      commands: statistics.commands,
      results: statistics.resultsByStatus(),
      latencyMs: statistics.latencyPercentiles(),
      computeRatio: statistics.meanComputeRatio(),
      overBudget: statistics.overBudget(),
      accuracy: this.topics.groundTruth === null ? null : accuracy.accuracy,
      accuracySamples: accuracy.samples,
      accuracyByCommand: statistics.accuracyByCommand(),
      groundTruthTopic: this.topics.groundTruth,
      unreadable: this.bag.skipped().map((entry) => ({ ...entry })),
      missingFiles: [...this.bag.missingFiles],
      truncatedFiles: [...this.bag.truncatedFiles],
      skippedChunks: this.bag.skippedChunks.map((chunk) => ({
        file: chunk.file,
        offset: chunk.offset.toString(),
        startNs: chunk.startNs?.toString() ?? null,
        endNs: chunk.endNs?.toString() ?? null,
        reason: chunk.reason,
      })),
      rate: this.options.rate,
      policy: this.options.parameters.policy,
      latencyBudgetMs: this.options.parameters.latency_budget_ms,
      wallTimeS,
    };
  }
}
