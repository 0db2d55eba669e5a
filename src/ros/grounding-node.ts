/**
 * The grounding node behind any transport: lifecycle, parameters, subscriptions, the
 * grounding stream, publishers, diagnostics and the `~/ground` service.
 *
 * Lifecycle: configure validates the parameters and starts loading the model. Activate
 * subscribes to the inputs and starts the stream, which waits for the model if it is
 * still loading. Deactivate unsubscribes without unloading, cleanup unloads, and shutdown
 * runs whichever of these is left. Plain mode configures, waits for the model and
 * activates.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Observable, ReplaySubject, Subscription } from "rxjs";

import { describeError, ModelError, StateError } from "../errors";
import { Logger, RateLimitedLog } from "../log";
import type { GroundingResult } from "../msgs";
import { noImageResult, rejectedInputResult, UngroundedResultFields } from "../output";
import type { GroundingEngine } from "../runtime/types";
import { setThreadNice } from "../runtime/thread-nice";
import type { GroundingStreamOptions } from "../stream/options";
import type { FrameInput, NoImageEvent, StreamEvent, TranscriptInput } from "../stream/types";
import { monotonicNow } from "../stream/clock";
import { GroundingDiagnostics } from "./diagnostics";
import { handleGroundRequest } from "./ground-service";
import { frameFromMessage, transcriptFromMessage } from "./inputs";
import { LifecycleStateMachine, LifecycleState, Transition } from "./lifecycle";
import { LoadEngine, ModelSlot } from "./model-slot";
import { NodeOutputs, RenderDebugImage, withoutRejectionLines } from "./node-outputs";
import { NodeParameters } from "./parameters";
import { DIAGNOSTICS_PERIOD_MS, GROUND_SERVICE, imageTopicFor, TRANSCRIPT_TOPIC } from "./topics";
import type { Disposable, LifecycleHandlers, RosTransport } from "./transport";

export type { LoadEngine, RenderDebugImage };


export type CreateStream = (options: GroundingStreamOptions) => Observable<StreamEvent>;

export interface GroundingNodeOptions {
  transport: RosTransport;
  loadEngine: LoadEngine;
  createStream: CreateStream;
  /** Model directory used when `model_path` is empty. */
  bundledModelDir: string;
  /** Needed only when `publish_debug_image` is true. */
  renderDebugImage?: RenderDebugImage;
  /** Clock in ms for arrival times and latencies; it must be the stream's clock. Default: monotonicNow. */
  now?: () => number;
}

export class GroundingNode {
  readonly parameters: NodeParameters;
  private readonly transport: RosTransport;
  private readonly logger: Logger;
  private readonly rejections: RateLimitedLog;
  private readonly lifecycle = new LifecycleStateMachine();
  private readonly diagnostics = new GroundingDiagnostics();
  private readonly now: () => number;

  private readonly model: ModelSlot;
  private outputs: NodeOutputs | undefined;
  private diagnosticsTimer: Disposable | undefined;
  /** Everything activate() creates and deactivate() removes. */
  private activeResources: Disposable[] = [];
  private streamSubscription: Subscription | undefined;
  /** Id of the next command, counted from 1 since the node started. */
  private nextCommandId = 1;
  /** Reason the stream of the current activation stopped, shown as ERROR in /diagnostics. */
  private streamError: string | undefined;
  /** Bumped by each activation, so a model load that finishes late starts only its own stream. */
  private activation = 0;
  private latestFrame: FrameInput | undefined;
  private lastTranscript = "";
  /** Fully qualified, remapped input topic names of the current activation, for logs. */
  private imageTopicName = "";
  private transcriptTopicName = "";

  private constructor(private readonly options: GroundingNodeOptions, parameters: NodeParameters) {
    this.transport = options.transport;
    this.logger = options.transport.logger;
    this.rejections = new RateLimitedLog(this.logger, 5000);
    this.model = new ModelSlot(this.logger);
    this.now = options.now ?? monotonicNow;
    this.parameters = parameters;
  }

  /**
   * Declares the parameters and returns an unconfigured node. Throws ParameterError when
   * an override from the command line or a parameter file is invalid.
   */
  static create(options: GroundingNodeOptions): GroundingNode {
    const parameters = NodeParameters.declare(options.transport, options.transport.logger);
    return new GroundingNode(options, parameters);
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Handlers for a managed node: each logs and returns false instead of throwing. */
  lifecycleHandlers(): LifecycleHandlers {
    const guard = (transition: Transition, run: () => void) => (): boolean => {
      try {
        run();
        return true;
      } catch (error) {
        this.logger.error(`Transition ${transition} failed: ${describeError(error)}`);
        return false;
      }
    };
    return {
      configure: guard("configure", () => this.configure()),
      activate: guard("activate", () => this.activate()),
      deactivate: guard("deactivate", () => this.deactivate()),
      cleanup: guard("cleanup", () => this.cleanup()),
      shutdown: guard("shutdown", () => void this.shutdown()),
    };
  }

  /**
   * unconfigured -> inactive: checks the model directory, starts loading the model and
   * creates the publishers. Throws ModelError when manifest.json is missing; a model that
   * fails later rejects `modelReady()`.
   */
  configure(): void {
    this.lifecycle.check("configure");
    const parameters = this.parameters.current;
    const modelDir = parameters.model_path === "" ? this.options.bundledModelDir : parameters.model_path;
    const manifest = join(modelDir, "manifest.json");
    if (!existsSync(manifest)) {
      throw new ModelError(
        manifest,
        `Model manifest ${manifest} not found; set model_path to a directory containing manifest.json, or leave it empty for the bundled model.`,
      );
    }

    this.logger.info(`Configuring: loading model ${modelDir} with ${parameters.num_threads} thread(s), nice ${parameters.nice}.`);
    const niceFailure = setThreadNice(parameters.nice);
    if (niceFailure !== null) {
      this.logger.warn(`The node's main thread runs at its default priority: ${niceFailure}.`);
    } else if (parameters.nice !== 0) {
      this.logger.info(`The node's main thread runs at nice ${parameters.nice}.`);
    }
    this.model.start(this.options.loadEngine, modelDir, { numThreads: parameters.num_threads, nice: parameters.nice, replySpinMs: parameters.reply_spin_ms });

    this.outputs = new NodeOutputs(this.transport, parameters.publish_debug_image, this.options.renderDebugImage, this.rejections);
    this.diagnosticsTimer = this.transport.createTimer(DIAGNOSTICS_PERIOD_MS, () => this.publishDiagnostics());
    this.logger.info(`Transition configure: ${this.lifecycle.complete("configure")}.`);
  }

  /** Resolves when the model configured last has loaded; rejects with its load error. */
  async modelReady(): Promise<GroundingEngine> {
    const load = this.model.loading;
    if (load === undefined) {
      throw new StateError("modelReady() requires configure() first; no model is loading.");
    }
    return load;
  }

  /** inactive -> active: subscribes to the inputs and starts the grounding stream. */
  activate(): void {
    this.lifecycle.check("activate");
    const load = this.model.loading;
    if (load === undefined) {
      throw new StateError("activate() found no model loading; configure() must run first.");
    }
    const parameters = this.parameters.current;
    const activation = ++this.activation;
    // The stream starts once the model has loaded; replaying the latest input keeps a
    // command or frame that arrives while the model is still loading.
    const frames = new ReplaySubject<FrameInput>(1);
    const transcripts = new ReplaySubject<TranscriptInput>(1);

    const imageTopic = imageTopicFor(parameters.image_transport);
    this.imageTopicName = this.transport.resolveTopicName(imageTopic.name);
    this.transcriptTopicName = this.transport.resolveTopicName(TRANSCRIPT_TOPIC.name);
    const kind = parameters.image_transport === "compressed" ? "compressed" : "raw";
    this.activeResources = [
      this.transport.subscribe<unknown>(imageTopic, (message) => this.onImage(message, kind, this.imageTopicName, frames)),
      this.transport.subscribe<unknown>(TRANSCRIPT_TOPIC, (message) => this.onTranscript(message, transcripts)),
      this.transport.provideService(GROUND_SERVICE, (request) => this.onGroundRequest(request)),
      { dispose: () => frames.complete() },
      { dispose: () => transcripts.complete() },
    ];

    load.then(
      (engine) => {
        if (activation !== this.activation || this.lifecycle.state !== "active") {
          return;
        }
        try {
          this.startStream(engine, frames, transcripts);
        } catch (error) {
          this.streamError = `starting the grounding stream failed: ${describeError(error)}`;
          this.logger.error(`Starting the grounding stream failed: ${describeError(error)}`);
        }
      },
      () => {
        // configure() logs the load error; without a model the node stays subscribed but
        // publishes nothing, and diagnostics show it.
      },
    );
    this.logger.info(
      `Transition activate: ${this.lifecycle.complete("activate")}; subscribed to ${this.imageTopicName} (${imageTopic.type}) and ${this.transcriptTopicName}.`,
    );
  }

  /** active -> inactive: stops the inputs and the stream and keeps the model loaded. */
  deactivate(): void {
    this.lifecycle.check("deactivate");
    this.activation += 1;
    this.streamSubscription?.unsubscribe();
    this.streamSubscription = undefined;
    this.streamError = undefined;
    // The camera may move or stop while the node is inactive.
    this.latestFrame = undefined;
    for (const resource of this.activeResources) {
      resource.dispose();
    }
    this.activeResources = [];
    this.outputs?.forgetFrames();
    this.logger.info(`Transition deactivate: ${this.lifecycle.complete("deactivate")}.`);
  }

  /** inactive -> unconfigured: destroys the publishers and unloads the model. */
  cleanup(): void {
    this.lifecycle.check("cleanup");
    this.diagnosticsTimer?.dispose();
    this.diagnosticsTimer = undefined;
    this.outputs?.dispose();
    this.outputs = undefined;
    this.model.unload();
    this.latestFrame = undefined;
    this.logger.info(`Transition cleanup: ${this.lifecycle.complete("cleanup")}.`);
  }

  /**
   * Any state -> finalized. The transition itself is synchronous (and throws StateError
   * when already finalized); the returned Promise resolves once the model is closed.
   */
  shutdown(): Promise<void> {
    this.lifecycle.check("shutdown");
    if (this.lifecycle.state === "active") {
      this.deactivate();
    }
    if (this.lifecycle.state === "inactive") {
      this.cleanup();
    }
    this.parameters.complete();
    this.logger.info(`Transition shutdown: ${this.lifecycle.complete("shutdown")}.`);
    return this.model.closed();
  }

  private startStream(engine: GroundingEngine, frames: Observable<FrameInput>, transcripts: Observable<TranscriptInput>): void {
    const events = this.options.createStream({
      engine,
      frames,
      transcripts,
      parameters: this.parameters.changes,
      logger: withoutRejectionLines(this.logger),
      // Each activation starts a new stream; the node's counter keeps command_id unique.
      nextCommandId: () => this.nextCommandId++,
    });
    this.streamSubscription = events.subscribe({
      next: (event) => this.onStreamEvent(event),
      error: (error: unknown) => {
        this.streamError = describeError(error);
        this.logger.error(`Grounding stream stopped: ${describeError(error)}`);
      },
    });
  }

  private onImage(message: unknown, kind: "raw" | "compressed", topic: string, frames: ReplaySubject<FrameInput>): void {
    this.diagnostics.recordFrame();
    let frame: FrameInput;
    try {
      frame = frameFromMessage(message, kind, topic, this.now());
    } catch (error) {
      this.reject(topic, error);
      return;
    }
    this.latestFrame = frame;
    this.outputs?.rememberFrame(frame);
    frames.next(frame);
  }

  private onTranscript(message: unknown, transcripts: ReplaySubject<TranscriptInput>): void {
    this.diagnostics.recordTranscript();
    let transcript: TranscriptInput;
    try {
      transcript = transcriptFromMessage(message, this.transcriptTopicName, this.now());
    } catch (error) {
      this.reject(this.transcriptTopicName, error);
      return;
    }
    this.lastTranscript = transcript.text;
    transcripts.next(transcript);
  }

  private reject(topic: string, error: unknown): void {
    const reason = (error as { reason?: string }).reason ?? "invalid_message";
    const field = (error as { field?: string }).field ?? "message";
    this.diagnostics.recordRejection(topic, reason);
    this.logRejection(topic, field, reason, describeError(error));
  }

  /** Logs one line per rejection, rate-limited per topic and reason. */
  private logRejection(topic: string, field: string, reason: string, message: string): void {
    this.rejections.warn(`${topic}:${reason}`, `Rejected ${topic} (field ${field}, ${reason}): ${message}`);
  }

  /**
   * Publishes what one stream event produces. A publish that throws (a message the client
   * library cannot serialize) is logged, because an exception thrown into the stream's
   * subscriber would end the process.
   */
  private onStreamEvent(event: StreamEvent): void {
    this.diagnostics.recordEvent(event);
    try {
      this.publishEvent(event);
    } catch (error) {
      this.rejections.error(`publish:${event.kind}`, `Publishing the ${event.kind} event failed: ${describeError(error)}`);
    }
  }

  private publishEvent(event: StreamEvent): void {
    const outputs = this.outputs;
    if (outputs === undefined) {
      return;
    }

    switch (event.kind) {
      case "result":
        outputs.publishGrounding(event);
        return;
      case "rejected": {
        this.logRejection(event.topic, event.field, event.reason, event.message);
        const transcript = event.transcript ?? (event.topic === this.transcriptTopicName ? this.lastTranscript : "");
        outputs.result.publish(rejectedInputResult(event, { ...this.ungroundedFields(), transcript, commandId: event.commandId ?? 0 }));
        return;
      }
      case "no_image":
        this.publishNoImage(event, outputs);
        return;
      case "dropped":
        return;
      case "ended":
        // Stamped now, in the camera frame of the latest image, as there is no result frame.
        outputs.publishCommandEnded({ stamp: this.transport.now(), frame_id: this.latestFrame?.header.frame_id ?? "" });
        return;
    }
  }

  /** Tells the planner that a command has no usable frame: none yet, or only frames older than max_image_age_ms. */
  private publishNoImage(event: NoImageEvent, outputs: NodeOutputs): void {
    const { command } = event;
    const fields = this.ungroundedFields();
    outputs.result.publish(
      noImageResult({
        ...fields,
        header: event.header ?? fields.header,
        transcript: command.transcript,
        expression: command.expression,
        commandId: command.id,
      }),
    );
    if (event.reason === "no_frame") {
      this.logger.info(`Command ${command.id} (${JSON.stringify(command.expression)}) waits for the first image on ${this.imageTopicName}.`);
    } else {
      this.logger.warn(
        `Command ${command.id}: a frame from ${this.imageTopicName} was older than max_image_age_ms ` +
          `(${this.parameters.current.max_image_age_ms} ms) when the model became free, so it was dropped and NO_IMAGE published; ` +
          `check the camera's rate and clock, or raise max_image_age_ms.`,
      );
    }
  }

  private async onGroundRequest(request: unknown): Promise<{ result: GroundingResult }> {
    const result = await handleGroundRequest(request, {
      engine: this.model.engine,
      latestFrame: this.latestFrame,
      parameters: this.parameters.current,
      now: this.now,
      fields: this.ungroundedFields(),
      logger: this.logger,
    });
    return { result };
  }

  private ungroundedFields(): UngroundedResultFields {
    const parameters = this.parameters.current;
    return {
      header: { stamp: this.transport.now(), frame_id: "" },
      transcript: this.lastTranscript,
      expression: "",
      policy: parameters.policy,
      budgetMs: parameters.latency_budget_ms,
      commandId: 0,
    };
  }

  private publishDiagnostics(): void {
    const parameters = this.parameters.current;
    const message = this.diagnostics.snapshot({
      nodeName: this.transport.nodeName,
      stamp: this.transport.now(),
      lifecycleState: this.lifecycle.state,
      modelName: this.model.status,
      modelError: this.model.error,
      ...(this.streamError === undefined ? {} : { streamError: this.streamError }),
      policy: parameters.policy,
      latencyBudgetMs: parameters.latency_budget_ms,
    });
    this.outputs?.diagnostics.publish(message);
  }
}
