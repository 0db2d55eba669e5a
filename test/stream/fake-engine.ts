/**
 * A GroundingStreamEngine whose calls complete on rxjs timers, so that under
 * TestScheduler.run they take virtual milliseconds. Frames are FileImageInputs whose
 * `path` names the frame. The path "bad" makes ground() throw an InputError, as a real
 * engine does for an undecodable image, and "crash" makes it fail with a plain Error, as
 * when the inference worker dies.
 */
import { map, Observable, of, throwError, timer } from "rxjs";

import { InputError } from "../../src/errors";
import { defaultParameters, type GroundingParameters } from "../../src/params/declarations";
import { splitWords } from "../../src/runtime/tokenizer";
import type { CommandEncoding, GroundingOutput, GroundOptions, ImageInput } from "../../src/runtime/types";
import type { GroundingStreamEngine } from "../../src/stream/options";
import type { FrameInput, StreamEvent, TranscriptInput } from "../../src/stream/types";

export interface FakeEngineOptions {
  /** Virtual ms one ground() call takes. */
  groundMs: number;
  /** Virtual ms one encode() call takes; with 0 it completes synchronously. */
  encodeMs?: number;
  /** Expressions whose encode() fails with a plain Error. */
  failingExpressions?: string[];
  /** Expressions with no word in the vocabulary: encode() lists every word as unknown. */
  unknownExpressions?: string[];
  /** Object nouns the engine reports; none by default. */
  objectNouns?: string[];
}

export interface GroundCall {
  frame: string;
  handle: number;
  options: GroundOptions;
  atMs: number;
}

export class FakeEngine implements GroundingStreamEngine {
  readonly groundCalls: GroundCall[] = [];
  readonly encodedExpressions: string[] = [];
  readonly releases: { handle: number; atMs: number }[] = [];
  private nextHandle = 1;

  constructor(
    private readonly options: FakeEngineOptions,
    private readonly now: () => number,
  ) {}

  get objectNouns(): readonly string[] {
    return this.options.objectNouns ?? [];
  }

  encode(text: string): Observable<CommandEncoding> {
    this.encodedExpressions.push(text);
    if (this.options.failingExpressions?.includes(text)) {
      return throwError(() => new Error(`text encoder failed on ${JSON.stringify(text)}`));
    }
    const encoding: CommandEncoding = {
      expression: text,
      tokenIds: [],
      unknownWords: this.options.unknownExpressions?.includes(text) === true ? splitWords(text) : [],
      handle: this.nextHandle++,
      gates: {},
    };
    const encodeMs = this.options.encodeMs ?? 0;
    return encodeMs === 0 ? of(encoding) : timer(encodeMs).pipe(map(() => encoding));
  }

  ground(image: ImageInput, command: CommandEncoding, options: GroundOptions): Observable<GroundingOutput> {
    const frame = image.kind === "file" ? image.path : image.kind;
    if (frame === "bad") {
      throw new InputError("image", "data", "corrupt_jpeg", "Frame on image has corrupt JPEG data; send a valid image.");
    }
    this.groundCalls.push({ frame, handle: command.handle, options, atMs: this.now() });
    const result = timer(this.options.groundMs).pipe(map(() => makeOutput(options, this.options.groundMs)));
    if (frame === "crash") {
      return result.pipe(map(() => {
        throw new Error("inference worker exited with code 1");
      }));
    }
    return result;
  }

  release(command: CommandEncoding): void {
    this.releases.push({ handle: command.handle, atMs: this.now() });
  }
}

export function makeOutput(options: GroundOptions, modelMs: number, predictedMs?: number): GroundingOutput {
  return {
    status: "grounded",
    box: { x: 1, y: 2, width: 3, height: 4 },
    score: 0.9,
    policy: options.policy,
    executedBlocks: [],
    computeRatio: 1,
    budgetMs: options.budgetMs,
    predictedMs,
    latencyMs: { total: modelMs },
    imageWidth: 640,
    imageHeight: 480,
  };
}

/** Builds a frame named `name` (its frame_id and image path) that arrives at `nowMs`. */
export function makeFrame(name: string, nowMs: number, sec = 1): FrameInput {
  return {
    header: { stamp: { sec, nanosec: 0 }, frame_id: name },
    receivedAtMs: nowMs,
    topic: "image",
    image: { kind: "file", path: name },
  };
}

export function makeTranscript(text: string, nowMs: number): TranscriptInput {
  return { text, receivedAtMs: nowMs, topic: "transcript" };
}

export function parametersWith(overrides: Partial<GroundingParameters>): GroundingParameters {
  return { ...defaultParameters(), ...overrides };
}

/**
 * Names an event in one short token for marble comparisons: a result is
 * "<frame>@<command id>", a drop "<reason>:<frame>", a rejection "rejected:<reason>", a
 * command without a usable frame "no_image:<reason>@<command id>", the end of a command
 * "ended@<command id>".
 */
export function eventToken(event: StreamEvent): string {
  switch (event.kind) {
    case "result":
      return `${event.header.frame_id}@${event.command.id}`;
    case "dropped":
      return `${event.reason}:${event.header.frame_id}`;
    case "rejected":
      return `rejected:${event.reason}`;
    case "no_image":
      return `no_image:${event.reason}@${event.command.id}`;
    case "ended":
      return `ended@${event.command.id}`;
  }
}
