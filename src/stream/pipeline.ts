import type { SchedulerLike } from "rxjs";

import { describeError, InputError } from "../errors";
import { RateLimitedLog, type Logger } from "../log";
import { defaultParameters, type GroundingParameters, PARAMETER_NAMES } from "../params/declarations";
import { validateParameter } from "../params/validate";
import type { GroundingOutput } from "../runtime/types";
import { BudgetController, type BudgetControllerOptions } from "./budget-controller";
import { CommandIntake } from "./command-intake";
import type { ActiveCommand } from "./command-slot";
import { groundOptionsFor, settleOnce } from "./engine-calls";
import { checkFrame, rejectionFromError } from "./input-checks";
import type { GroundingStreamEngine } from "./options";
import type { CommandEndedEvent, DropEvent, FrameInput, RejectionEvent, StreamEvent, TranscriptInput } from "./types";

export interface PipelineSink {
  next(event: StreamEvent): void;
  complete(): void;
  error(error: unknown): void;
}

export interface PipelineDependencies {
  engine: GroundingStreamEngine;
  scheduler: SchedulerLike;
  logger: Logger;
  dropWhileBusy: boolean;
  budget: Omit<BudgetControllerOptions, "targetMs">;
  sink: PipelineSink;
  nextCommandId: () => number;
}

/** Results the budget controller must have seen before a floor over the budget is warned about. */
const FLOOR_WARNING_AFTER_RESULTS = 5;

type QueuedInput = { kind: "frame"; frame: FrameInput } | { kind: "transcript"; transcript: TranscriptInput };

/**
 * The grounding stream's state machine: one command at a time, at most one inference in
 * flight, and either the newest waiting frame (dropWhileBusy) or a FIFO of every input
 * (sequential mode). Inputs are pushed in; events leave through the sink.
 */
export class GroundingPipeline {
  private parameters: GroundingParameters = defaultParameters();
  private readonly controller: BudgetController;
  private readonly commands: CommandIntake;
  private readonly warnings: RateLimitedLog;

  /** Newest frame waiting for the model or for the command's encoding (newest-frame-only mode). */
  private waitingFrame: FrameInput | null = null;
  /** Every input in arrival order (sequential mode). */
  private readonly queue: QueuedInput[] = [];
  private inferenceBusy = false;
  /**
   * Command ends that arrived while a frame was in the model, emitted after its result.
   * Every end waits, because after "the mug", "the bowl", "stop" the mug's late result
   * would otherwise be the last box published.
   */
  private readonly endsAfterInference: CommandEndedEvent[] = [];
  /** When the model last became free; a sequential frame's latency counts from here at the earliest. */
  private modelFreeSinceMs: number;

  /** Valid frames received so far. A command that starts before the first gets a "no_frame" event. */
  private framesReceived = 0;
  /** Commands that already have a no_image event: one "no_frame" per command, one "stale" per gap between results. */
  private noFrameNoticeId: number | null = null;
  private staleNoticeId: number | null = null;

  private framesComplete = false;
  private closed = false;
  private pumping = false;
  private pumpRequested = false;

  constructor(private readonly deps: PipelineDependencies) {
    this.controller = new BudgetController({ ...deps.budget, targetMs: this.parameters.latency_budget_ms });
    this.commands = new CommandIntake({
      engine: deps.engine,
      logger: deps.logger,
      reject: (rejection) => this.reject(rejection),
      onChange: () => this.onCommandChange(),
      onEnded: (command, reason) => this.onCommandEnded({ kind: "ended", command, reason }),
      nextCommandId: deps.nextCommandId,
    });
    this.warnings = new RateLimitedLog(deps.logger, 1000, () => deps.scheduler.now());
    this.modelFreeSinceMs = deps.scheduler.now();
  }

  /**
   * Applies a parameter set from the next frame on. A set with any invalid value is logged
   * and ignored whole, because the engine would reject it on every frame.
   */
  setParameters(parameters: GroundingParameters): void {
    try {
      for (const name of PARAMETER_NAMES) {
        validateParameter(name, parameters[name]);
      }
      if (parameters.latency_budget_ms !== this.controller.targetMs) {
        this.controller.setTarget(parameters.latency_budget_ms);
      }
    } catch (error) {
      this.warnings.warn("parameters", `Ignoring the parameter update: ${describeError(error)}`);
      return;
    }
    this.parameters = parameters;
  }

  onTranscript(transcript: TranscriptInput): void {
    if (this.closed) {
      return;
    }
    if (this.deps.dropWhileBusy) {
      this.commands.handle(transcript);
      this.pump();
      return;
    }
    this.queue.push({ kind: "transcript", transcript });
    this.pump();
  }

  onFrame(frame: FrameInput): void {
    if (this.closed) {
      return;
    }
    const rejection = checkFrame(frame);
    if (rejection !== null) {
      this.reject(rejection);
      return;
    }
    this.controller.observeArrival(frame.receivedAtMs);
    this.framesReceived += 1;

    if (!this.deps.dropWhileBusy) {
      this.queue.push({ kind: "frame", frame });
      this.pump();
      return;
    }

    // Without a usable command the frame is never decoded, so it is not kept either.
    const command = this.commands.current;
    if (command === null || frame.receivedAtMs < command.arrivalMs) {
      return;
    }
    // A waiting frame from inside the lifetime is grounded first; a later frame expires the command.
    if (this.waitingFrame !== null && this.outlived(command, frame) && !this.outlived(command, this.waitingFrame)) {
      return;
    }
    if (this.expireIfDone(command, frame)) {
      return;
    }
    if (this.waitingFrame !== null) {
      this.drop(this.waitingFrame, "busy");
    }
    this.waitingFrame = frame;
    this.pump();
  }

  onFramesComplete(): void {
    this.framesComplete = true;
    this.pump();
  }

  /** Stops all work. An inference or encoding still in flight releases its encoding when it ends. */
  close(): void {
    this.closed = true;
    this.waitingFrame = null;
    this.queue.length = 0;
    this.commands.slot.replace(null);
  }

  /** Emits the end of a command now, or after the result of the frame in the model. */
  private onCommandEnded(event: CommandEndedEvent): void {
    if (this.inferenceBusy) {
      this.endsAfterInference.push(event);
      return;
    }
    this.deps.sink.next(event);
  }

  private emitDeferredEnds(): void {
    for (const event of this.endsAfterInference.splice(0)) {
      this.deps.sink.next(event);
    }
  }

  /**
   * Keeps the waiting frame only while it is usable for the current command, and reports a
   * new command that no frame has arrived for yet. The report waits for the encoding,
   * because a command the model cannot ground is rejected instead. Otherwise the order
   * of notice and rejection would depend on how fast the encoder returned.
   */
  private onCommandChange(): void {
    const command = this.commands.current;
    if (command !== null && command.encoding !== null && this.framesReceived === 0 && this.noFrameNoticeId !== command.info.id) {
      this.noFrameNoticeId = command.info.id;
      // Checked again after the inputs of this instant: a source that replays buffered
      // input (the node's, while the model loads) delivers its transcript before its frame.
      this.deps.scheduler.schedule(() => {
        if (!this.closed && this.framesReceived === 0 && this.commands.current?.info.id === command.info.id) {
          this.deps.sink.next({ kind: "no_image", reason: "no_frame", command: command.info });
        }
      });
    }
    const frame = this.waitingFrame;
    if (frame !== null && (command === null || frame.receivedAtMs < command.arrivalMs)) {
      this.waitingFrame = null;
    }
    this.pump();
  }

  /**
   * Runs every step that is possible now. Re-entrant calls (from an engine that completes
   * synchronously) only request another round, so steps never interleave.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpRequested = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpRequested = false;
        if (!this.closed) {
          this.step();
        }
      } while (this.pumpRequested);
    } finally {
      this.pumping = false;
    }
    this.completeIfDone();
  }

  private step(): void {
    if (this.deps.dropWhileBusy) {
      this.stepNewestFrame();
    } else {
      this.stepQueue();
    }
  }

  private stepNewestFrame(): void {
    const frame = this.waitingFrame;
    const command = this.commands.current;
    if (this.inferenceBusy || frame === null) {
      return;
    }
    if (command === null) {
      this.waitingFrame = null;
      return;
    }
    if (command.encoding === null) {
      return;
    }

    this.waitingFrame = null;
    // Expiry first: a frame past the command's lifetime is not one the command still needs.
    if (this.expireIfDone(command, frame)) {
      return;
    }
    const ageMs = this.deps.scheduler.now() - frame.receivedAtMs;
    const maxAgeMs = this.parameters.max_image_age_ms;
    if (maxAgeMs > 0 && ageMs > maxAgeMs) {
      this.drop(frame, "stale");
      if (this.staleNoticeId !== command.info.id) {
        this.staleNoticeId = command.info.id;
        this.deps.sink.next({ kind: "no_image", reason: "stale", command: command.info, header: frame.header });
      }
      return;
    }
    this.startInference(frame, command, frame.receivedAtMs);
  }

  /** Sequential mode: no frame is dropped, and latency counts from when the model was free. */
  private stepQueue(): void {
    // Later inputs wait while a transcript is being encoded, so they see its command.
    while (!this.inferenceBusy && !this.commands.isEncoding && !this.closed) {
      const input = this.queue.shift();
      if (input === undefined) {
        return;
      }
      if (input.kind === "transcript") {
        this.commands.handle(input.transcript);
        continue;
      }

      const frame = input.frame;
      const command = this.commands.current;
      if (command === null || command.encoding === null || frame.receivedAtMs < command.arrivalMs) {
        continue;
      }
      if (this.expireIfDone(command, frame)) {
        continue;
      }
      this.startInference(frame, command, Math.max(frame.receivedAtMs, this.modelFreeSinceMs));
    }
  }

  /**
   * Retires the command when `frame` falls after its lifetime. A command always gets one
   * result first, so a command spoken before the camera starts is still grounded once.
   *
   * NOTE: the lifetime is checked only here, on frame times, because in sequential replay
   * the clock runs ahead of bag time. So when frames stop, an expired command keeps its
   * encoding until the next frame, the next command or the end of the stream.
   */
  private expireIfDone(command: ActiveCommand, frame: FrameInput): boolean {
    if (!this.outlived(command, frame)) {
      return false;
    }
    this.commands.clear(`expired after ${command.results} result(s)`);
    return true;
  }

  /** Returns whether `frame` falls after the command's lifetime, which starts counting once it has a result. */
  private outlived(command: ActiveCommand, frame: FrameInput): boolean {
    const lifetimeMs = this.parameters.command_ttl_s * 1000;
    return command.results > 0 && (lifetimeMs === 0 || frame.receivedAtMs - command.arrivalMs > lifetimeMs);
  }

  private startInference(frame: FrameInput, command: ActiveCommand, arrivalMs: number): void {
    const encoding = command.encoding;
    if (encoding === null) {
      return;
    }
    const parameters = this.parameters;
    // Errors about the image then name the topic it came from.
    const options = { ...groundOptionsFor(parameters, this.controller.modelBudgetMs, this.controller.slowdown), source: frame.topic };
    const startMs = this.deps.scheduler.now();
    this.inferenceBusy = true;
    this.commands.slot.acquire(command);

    // Only the header outlives the inference: the image buffer is referenced by the engine
    // call alone, so it can be collected as soon as the engine lets go of it.
    const header = frame.header;
    const topic = frame.topic;
    const finish = (): void => {
      this.inferenceBusy = false;
      this.modelFreeSinceMs = this.deps.scheduler.now();
      this.commands.slot.unacquire(command);
    };

    settleOnce(() => this.deps.engine.ground(frame.image, encoding, options), "engine.ground", {
      value: (output) => {
        finish();
        this.onResult(command, header, output, arrivalMs, startMs, parameters.latency_budget_ms);
      },
      failure: (error) => {
        finish();
        this.onInferenceFailed(error, topic, header);
      },
    });
  }

  private onResult(
    command: ActiveCommand,
    header: FrameInput["header"],
    output: GroundingOutput,
    arrivalMs: number,
    startMs: number,
    targetMs: number,
  ): void {
    if (this.closed) {
      return;
    }
    const endToEndMs = this.deps.scheduler.now() - arrivalMs;
    command.results += 1;
    this.controller.record({
      endToEndMs,
      waitMs: startMs - arrivalMs,
      modelMs: output.latencyMs.total,
      predictedMs: output.policy === "budget" ? output.predictedMs : undefined,
      floorMs: output.policy === "budget" ? output.floorMs : undefined,
      budgeted: output.policy === "budget",
    });
    const floorEndToEndMs = output.policy === "budget" ? this.controller.snapshot().floorEndToEndMs : null;
    // The first results carry cold-start costs and a cost model not yet fitted to this
    // machine, so one slow frame would give a false warning.
    const settled = this.controller.recorded >= FLOOR_WARNING_AFTER_RESULTS;
    if (settled && floorEndToEndMs !== null && endToEndMs > targetMs && floorEndToEndMs > targetMs) {
      this.warnings.warn(
        "budget:floor",
        `latency_budget_ms is ${targetMs} ms, but even the fewest blocks take about ${floorEndToEndMs.toFixed(1)} ms end to end on this machine now ` +
          `(result ${endToEndMs.toFixed(1)} ms); raise latency_budget_ms or free CPU for the node.`,
      );
    }
    this.staleNoticeId = null;
    this.deps.sink.next({
      kind: "result",
      header,
      command: command.info,
      output,
      endToEndMs,
      budgetMs: targetMs,
      ...(floorEndToEndMs === null ? {} : { floorEndToEndMs }),
    });
    this.emitDeferredEnds();
    this.pump();
  }

  /**
   * Rejects the frame on an InputError, which means one bad frame, and goes on. Any other
   * error means the engine itself failed (worker gone, model closed), so the stream errors
   * rather than rejecting every later frame.
   */
  private onInferenceFailed(error: unknown, topic: string, header: FrameInput["header"]): void {
    if (this.closed) {
      return;
    }
    if (!(error instanceof InputError)) {
      this.closed = true;
      this.deps.sink.error(error);
      return;
    }
    this.reject({ ...rejectionFromError(error, topic, "image", "invalid_image"), header });
    this.emitDeferredEnds();
    this.pump();
  }

  private reject(rejection: RejectionEvent): void {
    this.warnings.warn(`${rejection.topic}:${rejection.reason}`, `Rejected input: ${rejection.message}`);
    this.deps.sink.next(rejection);
  }

  private drop(frame: FrameInput, reason: DropEvent["reason"]): void {
    this.deps.logger.debug(`Dropped frame from ${frame.topic} (${reason}).`);
    this.deps.sink.next({ kind: "dropped", reason, header: frame.header });
  }

  private completeIfDone(): void {
    // In sequential mode a pending encode still gates queued frames; in newest-frame-only
    // mode a waiting frame covers that case.
    const encoding = !this.deps.dropWhileBusy && this.commands.isEncoding;
    const idle = !this.inferenceBusy && !encoding && this.waitingFrame === null && this.queue.length === 0;
    if (this.framesComplete && idle && !this.closed) {
      this.closed = true;
      this.commands.slot.replace(null);
      this.deps.sink.complete();
    }
  }
}
