/**
 * Builds a grounding stream over marble-described inputs inside TestScheduler.run, with
 * frames and transcripts stamped with the virtual time at which they are emitted.
 */
import { filter, map, Observable, of } from "rxjs";
import type { RunHelpers, TestScheduler } from "rxjs/testing";

import type { GroundingParameters } from "../../src/params/declarations";
import { createGroundingStream } from "../../src/stream";
import type { FrameInput, StreamEvent } from "../../src/stream/types";
import { eventToken, FakeEngine, type FakeEngineOptions, makeFrame, makeTranscript, parametersWith } from "./fake-engine";

export interface StreamSpec {
  /**
   * One letter per frame; the letter is the frame's name. "x" has a corrupt image, "n" a
   * NaN stamp, and "k" makes the engine fail.
   */
  frames: string;
  transcripts?: string;
  /** Text per transcript letter. */
  texts?: Record<string, string>;
  /** Parameter marble; default: one parameter set at time 0. */
  parameters?: string;
  parameterValues?: Record<string, Partial<GroundingParameters>>;
  engine: FakeEngineOptions;
  dropWhileBusy?: boolean;
}

export interface TestStream {
  events: Observable<StreamEvent>;
  /**
   * Events as short tokens (see eventToken), without the "no_frame" NO_IMAGE notices that a
   * command at time 0 gets and without command ends, because most tests are about results
   * and drops.
   */
  tokens: Observable<string>;
  /** Every event as a short token. */
  allTokens: Observable<string>;
  engine: FakeEngine;
}

export function buildTestStream(scheduler: TestScheduler, helpers: RunHelpers, spec: StreamSpec): TestStream {
  const now = (): number => scheduler.now();
  const engine = new FakeEngine(spec.engine, now);

  const frames = helpers.cold<string>(spec.frames).pipe(map((letter) => frameFor(letter, now())));
  const transcripts = helpers
    .cold<string>(spec.transcripts ?? "-")
    .pipe(map((letter) => makeTranscript(spec.texts?.[letter] ?? letter, now())));
  const parameters =
    spec.parameters === undefined
      ? of(parametersWith({}))
      : helpers
          .cold<string>(spec.parameters)
          .pipe(map((letter) => parametersWith(spec.parameterValues?.[letter] ?? {})));

  const events = createGroundingStream({
    engine,
    frames,
    transcripts,
    parameters,
    scheduler,
    dropWhileBusy: spec.dropWhileBusy,
  });
  const allTokens = events.pipe(map(eventToken));
  const tokens = events.pipe(
    filter((event) => event.kind !== "ended" && (event.kind !== "no_image" || event.reason !== "no_frame")),
    map(eventToken),
  );
  return { events, tokens, allTokens, engine };
}

function frameFor(letter: string, nowMs: number): FrameInput {
  if (letter === "x") {
    return makeFrame("bad", nowMs);
  }
  if (letter === "k") {
    return makeFrame("crash", nowMs);
  }
  if (letter === "n") {
    return makeFrame("n", nowMs, Number.NaN);
  }
  return makeFrame(letter, nowMs);
}
