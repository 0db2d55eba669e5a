import { isObservable, type Observable, type ObservableInput, type SchedulerLike } from "rxjs";

import { ArgumentError } from "../errors";
import type { Logger } from "../log";
import type { GroundingParameters } from "../params/declarations";
import type { CommandEncoding, GroundingOutput, GroundOptions, ImageInput } from "../runtime/types";
import type { BudgetControllerOptions } from "./budget-controller";
import type { FrameInput, TranscriptInput } from "./types";

/**
 * The part of a GroundingEngine the stream calls. A GroundingEngine fits as it is because a
 * Promise is an ObservableInput; tests pass an engine whose calls complete on a virtual-time
 * scheduler instead.
 */
export interface GroundingStreamEngine {
  encode(text: string): ObservableInput<CommandEncoding>;
  ground(image: ImageInput, command: CommandEncoding, options: GroundOptions): ObservableInput<GroundingOutput>;
  release(command: CommandEncoding): void;
  /**
   * Words that name object categories. With them a command's "one" takes the previous
   * command's object noun ("the blue one" after "the red mug" is "the blue mug").
   */
  readonly objectNouns?: readonly string[];
  /** Groups of object nouns that name the same kind ("mug", "cup"), so a correction cannot swap one for the other. */
  readonly objectSynonyms?: readonly (readonly string[])[];
}

export interface GroundingStreamOptions {
  engine: GroundingStreamEngine;
  frames: Observable<FrameInput>;
  transcripts: Observable<TranscriptInput>;
  /**
   * Parameter sets; the latest applies from the next frame on. Until the first one
   * arrives the declared defaults apply.
   */
  parameters: Observable<GroundingParameters>;
  /**
   * Clock of the stream: `scheduler.now()` in ms, the clock of every `receivedAtMs`.
   * Default: `monotonicScheduler` (performance.now(), so stamp arrivals with `monotonicNow`).
   */
  scheduler?: SchedulerLike;
  /** Receives command changes, drops (debug) and rate-limited rejections. Default: silent. */
  logger?: Logger;
  /**
   * true (default): keep only the newest waiting frame while the model is busy and drop
   * frames older than `max_image_age_ms`. false: process every frame and transcript in
   * arrival order, as `replay --rate max` needs.
   */
  dropWhileBusy?: boolean;
  /** Tuning of the latency budget controller; its target always comes from `latency_budget_ms`. */
  budget?: Omit<BudgetControllerOptions, "targetMs">;
  /**
   * Returns the id of each new command. Default: 1, 2, 3, ... per stream. A caller that
   * restarts the stream (the ROS node, on each activation) passes its own counter, so
   * that ids stay unique for its lifetime.
   */
  nextCommandId?: () => number;
}

/** Rejects a malformed options object when the stream is created, naming the field. */
export function validateStreamOptions(options: GroundingStreamOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError(`createGroundingStream expects an options object but received ${String(options)}.`);
  }

  const engine = options.engine as Partial<GroundingStreamEngine> | undefined;
  for (const method of ["encode", "ground", "release"] as const) {
    if (typeof engine?.[method] !== "function") {
      throw new ArgumentError(
        `createGroundingStream option engine must have a method ${method}() but received ${describe(engine)}; pass a loaded GroundingEngine.`,
      );
    }
  }

  for (const name of ["frames", "transcripts", "parameters"] as const) {
    if (!isObservable(options[name])) {
      throw new ArgumentError(
        `createGroundingStream option ${name} must be an Observable but received ${describe(options[name])}; wrap arrays with from().`,
      );
    }
  }

  if (options.scheduler !== undefined && typeof options.scheduler?.now !== "function") {
    throw new ArgumentError(
      `createGroundingStream option scheduler must be an rxjs SchedulerLike but received ${describe(options.scheduler)}.`,
    );
  }
  if (options.dropWhileBusy !== undefined && typeof options.dropWhileBusy !== "boolean") {
    throw new ArgumentError(
      `createGroundingStream option dropWhileBusy must be true or false but received ${describe(options.dropWhileBusy)}.`,
    );
  }
  if (options.nextCommandId !== undefined && typeof options.nextCommandId !== "function") {
    throw new ArgumentError(
      `createGroundingStream option nextCommandId must be a function returning the next id but received ${describe(options.nextCommandId)}.`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (typeof value === "object") {
    return `an object with keys [${Object.keys(value).join(", ")}]`;
  }
  return `${String(value)} (${typeof value})`;
}
