/** Options and results of `replayBag`, the library behind `softskip replay`. */
import type { BagTopic } from "../bag";
import type { Logger } from "../log";
import type { GroundingParameters } from "../params/declarations";
import type { GroundingEngine } from "../runtime/types";

/** A command issued during replay, `timeS` seconds after the bag's first message. */
export interface ScheduledCommand {
  timeS: number;
  text: string;
  /** Origin of the command, for logs and rejections (default "--command"). */
  source?: string;
}

export interface ReplayOptions {
  /** MCAP file, .db3 file or rosbag2 folder. */
  bagPath: string;
  engine: GroundingEngine;
  parameters: GroundingParameters;
  /**
   * Commands to issue instead of the bag's transcript topic; undefined reads the
   * transcript topic. `--command TEXT` is one command at time 0.
   */
  commands?: ScheduledCommand[];
  /**
   * Playback speed. 1 plays in bag time like `ros2 bag play`, so frames arriving while
   * the model is busy are dropped. "max" processes every frame as fast as possible.
   * Any other positive number scales bag time like `ros2 bag play --rate`.
   */
  rate: number | "max";
  /** Output MCAP path; no output bag when undefined. */
  outPath?: string;
  /** Also write the image and transcript messages to the output bag. */
  includeInput?: boolean;
  /** Image topic to ground on; default chosen from the bag (see selectReplayTopics). */
  imageTopic?: string;
  /** Transcript topic (std_msgs/msg/String); default chosen from the bag. */
  transcriptTopic?: string;
  logger?: Logger;
  /** Called after each bag message is handled: messages read so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Receives each processed frame's image and result, e.g. for report thumbnails. */
  onResultImage?: ResultImageSink;
  /** Stops the replay (Ctrl-C): it then rejects with ReplayInterruptedError and deletes the output. */
  signal?: AbortSignal;
}

export type ResultImageSink = (sample: ResultImageSample) => void;

export interface ResultImageSample {
  commandId: number;
  image: import("../runtime/types").ImageInput;
  result: ResultRecord;
}

/** One grounding result, kept for the summary, the accuracy and the report plots. */
export interface ResultRecord {
  commandId: number;
  transcript: string;
  expression: string;
  status: "grounded" | "not_found";
  box: { x: number; y: number; width: number; height: number } | null;
  score: number;
  /** Header stamp of the frame, in ns. */
  stampNs: bigint;
  /** Log time of the frame in the bag, in ns. */
  logTimeNs: bigint;
  endToEndMs: number;
  budgetMs: number;
  computeRatio: number;
  /**
   * Filled in when the replay ends: the ground-truth box at this frame's stamp, null when
   * the truth is "not found", absent when no ground truth applies.
   */
  truthBox?: { x: number; y: number; width: number; height: number } | null;
}

/** Results of one command judged against the bag's ground truth. */
export interface CommandAccuracy {
  commandId: number;
  transcript: string;
  /** The referring expression the transcript became, as the model received it. */
  expression: string;
  /** Results that matched the ground truth. */
  correct: number;
  /** Results that had a ground truth at the same stamp. */
  samples: number;
}

/** The `--json` object; field names are a contract, new fields may be added. */
export interface ReplaySummary {
  bag: string;
  output: string | null;
  /** Bag messages read. */
  messages: number;
  imageTopic: string;
  transcriptTopic: string | null;
  frames: {
    received: number;
    processed: number;
    dropped: number;
    /** Frames rejected before or during grounding (also counted in `rejected`). */
    rejected: number;
    /** Frames that arrived while no command was active. */
    idle: number;
  };
  /** Rejected messages per reason. */
  rejected: Record<string, number>;
  /** Commands issued (transcripts that started or corrected a command). */
  commands: number;
  /** Results per status. */
  results: Record<string, number>;
  /** End-to-end latency percentiles, in ms; null without results. */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
  /** Mean executed FLOPs / full-model FLOPs; null without results. */
  computeRatio: number | null;
  /** Results whose end-to-end latency exceeded the budget in force. */
  overBudget: number;
  /**
   * Fraction of results matching the ground truth: grounded with IoU >= 0.5, or "not found"
   * when the truth is (the model card's decision accuracy); null without ground truth.
   */
  accuracy: number | null;
  /** Results that had a ground truth at the same stamp, for the same transcript. */
  accuracySamples: number;
  /** Accuracy per command that had ground truth, in the order commands were issued. */
  accuracyByCommand: CommandAccuracy[];
  /** Ground-truth topic of the bag; null when it has none. */
  groundTruthTopic: string | null;
  /** Messages the bag reader could not use, per topic and reason. */
  unreadable: { topic: string; reason: string; count: number }[];
  /** Bag files that metadata.yaml lists but that are missing. */
  missingFiles: string[];
  /** Bag files cut short (still being written, or copied in part); their complete messages were replayed. */
  truncatedFiles: string[];
  /** Corrupt chunks whose messages were skipped: file, byte offset and the log-time range (ns, as decimal strings; null when unreadable) they covered. */
  skippedChunks: Array<{ file: string; offset: string; startNs: string | null; endNs: string | null; reason: string }>;
  rate: number | "max";
  policy: string;
  /** End-to-end target in force (latency_budget_ms, --budget-ms), in ms; results over it count in overBudget. */
  latencyBudgetMs: number;
  wallTimeS: number;
}

export interface ReplayResult {
  summary: ReplaySummary;
  results: ResultRecord[];
  /** Topics of the bag, for reports. */
  topics: readonly BagTopic[];
}
