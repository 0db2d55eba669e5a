/**
 * Public contract of the grounding stream: what goes in (frames, transcripts, parameter
 * changes) and what comes out (results, rejections, drops). The ROS node, replay and
 * tests all feed the same `createGroundingStream`.
 */
import type { GroundingOutput, ImageInput } from "../runtime/types";

/** builtin_interfaces/Time. */
export interface Stamp {
  sec: number;
  nanosec: number;
}

/** std_msgs/Header. */
export interface Header {
  stamp: Stamp;
  frame_id: string;
}

export interface FrameInput {
  header: Header;
  /** Time the frame arrived, on the stream's clock, in ms. */
  receivedAtMs: number;
  /** Topic it arrived on, for rejection messages. */
  topic: string;
  /** Undecoded image: pixels are decoded only for frames that are processed. */
  image: ImageInput;
}

export interface TranscriptInput {
  text: string;
  receivedAtMs: number;
  topic: string;
}

export interface CommandInfo {
  /** Monotonic id, for logs. */
  id: number;
  transcript: string;
  expression: string;
}

export interface GroundingEvent {
  kind: "result";
  header: Header;
  command: CommandInfo;
  output: GroundingOutput;
  /** End-to-end latency from frame arrival to result, in ms. */
  endToEndMs: number;
  /** End-to-end budget in force for this frame, in ms. */
  budgetMs: number;
  /**
   * Expected end-to-end time of the engine's fewest blocks, in ms (`BudgetState.floorEndToEndMs`);
   * present for budget-policy results once the controller has one.
   */
  floorEndToEndMs?: number;
}

export interface RejectionEvent {
  kind: "rejected";
  topic: string;
  field: string;
  reason: string;
  message: string;
  header?: Header;
  /** Text of the rejected transcript; absent for frames and for transcript messages without text. */
  transcript?: string;
  /** Id of the command the rejection ended, when the transcript had started one. */
  commandId?: number;
}

/**
 * A command that no frame can serve now: none has arrived yet ("no_frame", emitted when
 * the command starts), or a frame was older than `max_image_age_ms` when the model became
 * free ("stale", emitted once per command until its next result).
 */
export interface NoImageEvent {
  kind: "no_image";
  reason: "no_frame" | "stale";
  command: CommandInfo;
  /** Header of the stale frame; absent for "no_frame". */
  header?: Header;
}

export interface DropEvent {
  kind: "dropped";
  reason: "busy" | "stale";
  header: Header;
}

/**
 * End of the current command without a successor. The cause is a stop ("stop", "cancel",
 * "don't ..."), its lifetime (`command_ttl_s`, checked when a frame arrives), or a text
 * that replaced it but cannot be grounded, whose dropped command the event then names.
 * It comes after every result already in the model, so a consumer can clear what it shows.
 */
export interface CommandEndedEvent {
  kind: "ended";
  command: CommandInfo;
  /** Cause, in the log line's words: 'stopped by "stop"', "expired after 3 result(s)". */
  reason: string;
}

export type StreamEvent = GroundingEvent | RejectionEvent | DropEvent | NoImageEvent | CommandEndedEvent;
