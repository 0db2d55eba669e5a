import { Observable, Subscription } from "rxjs";

import { silentLogger } from "../log";
import { monotonicScheduler } from "./clock";
import { validateStreamOptions, type GroundingStreamOptions } from "./options";
import { GroundingPipeline } from "./pipeline";
import type { StreamEvent } from "./types";

/**
 * Grounds spoken commands on camera frames. One module serves the ROS node, bag replay
 * and the tests.
 *
 * - A transcript with a command is encoded once. It is grounded on the first usable frame
 *   at or after its arrival, then on new frames for `command_ttl_s`. A correction replaces
 *   the command, a stop clears it, and the replaced encoding is released.
 * - Without a command no frame is decoded. While an inference runs, a newer frame replaces
 *   the waiting one (a "busy" drop). A frame older than `max_image_age_ms` when the model
 *   is free is dropped as "stale". Exactly one inference is in flight.
 * - A bad message becomes a RejectionEvent and the stream goes on. The stream errors
 *   only when a source errors or the engine fails with anything but an InputError.
 * - The adaptive budget controller sets each frame's model budget from measured latencies.
 *   Each result reports the end-to-end target in force.
 *
 * The stream completes when `frames` completes and the last frame has been handled.
 * Invalid options throw ArgumentError here, before anything is subscribed.
 */
export function createGroundingStream(options: GroundingStreamOptions): Observable<StreamEvent> {
  validateStreamOptions(options);
  const scheduler = options.scheduler ?? monotonicScheduler;
  const logger = options.logger ?? silentLogger;

  return new Observable<StreamEvent>((subscriber) => {
    const pipeline = new GroundingPipeline({
      engine: options.engine,
      scheduler,
      logger,
      dropWhileBusy: options.dropWhileBusy ?? true,
      budget: options.budget ?? {},
      sink: subscriber,
      nextCommandId: options.nextCommandId ?? counter(),
    });

    // Parameters are subscribed first so that a BehaviorSubject's value applies to the first
    // frame. Transcripts come before frames, so when both are emitted at the same virtual
    // instant the command exists before the frame arrives and the frame can be grounded.
    const sources = new Subscription();
    sources.add(
      options.parameters.subscribe({
        next: (parameters) => pipeline.setParameters(parameters),
        error: (error: unknown) => subscriber.error(error),
      }),
    );
    sources.add(
      options.transcripts.subscribe({
        next: (transcript) => pipeline.onTranscript(transcript),
        error: (error: unknown) => subscriber.error(error),
      }),
    );
    sources.add(
      options.frames.subscribe({
        next: (frame) => pipeline.onFrame(frame),
        error: (error: unknown) => subscriber.error(error),
        complete: () => pipeline.onFramesComplete(),
      }),
    );

    return () => {
      sources.unsubscribe();
      pipeline.close();
    };
  });
}

/** Returns 1, 2, 3, ... on successive calls. */
function counter(): () => number {
  let next = 1;
  return () => next++;
}
