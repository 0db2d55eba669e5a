/**
 * The node's parameters: the single source of names, types, defaults, ranges and
 * descriptions. The ROS node declares exactly these, the replay tool reads the same
 * file format, and a test checks that config/params.yaml agrees with the defaults here.
 */
export const POLICY_NAMES = ["full", "lgmdp", "softskip", "budget", "static"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const IMAGE_TRANSPORTS = ["raw", "compressed"] as const;
export type ImageTransport = (typeof IMAGE_TRANSPORTS)[number];

export interface GroundingParameters {
  /** Model directory holding manifest.json; empty selects the bundled model. */
  model_path: string;
  /** Block-selection policy. */
  policy: PolicyName;
  /** End-to-end latency target per frame, from frame arrival to result, in ms. */
  latency_budget_ms: number;
  /** Gate probability at or above which a gateable block runs (lgmdp, softskip); negative: the model's. */
  gate_threshold: number;
  /** Approximate skipped scales with SoftSkip modules (budget policy). */
  softskip: boolean;
  /** Minimum grounding score to report "grounded"; negative: the model's calibrated threshold. */
  min_score: number;
  /** How long a command keeps being grounded on new frames, in s; 0 grounds it once. */
  command_ttl_s: number;
  /** Frames older than this on arrival at the model are dropped, in ms; 0 disables. */
  max_image_age_ms: number;
  /** "raw" subscribes to sensor_msgs/Image on `image`; "compressed" to `image/compressed`. */
  image_transport: ImageTransport;
  /** Publish `~/debug_image` with the box drawn. */
  publish_debug_image: boolean;
  /** ONNX Runtime intra-op threads per session. */
  num_threads: number;
  /** Unix nice value of the node's main and inference threads. */
  nice: number;
  /** Maximum busy wait of the main thread for each inference's result, in ms; 0 turns off this and the worker's wait. */
  reply_spin_ms: number;
}

interface Declaration<K extends keyof GroundingParameters> {
  name: K;
  type: "string" | "double" | "integer" | "bool";
  default: GroundingParameters[K];
  description: string;
  /** Inclusive range for numbers. */
  range?: { min: number; max: number };
  /** Allowed values for enum-like strings. */
  allowed?: readonly string[];
  /** Whether the value may change while the node runs (applied on the next frame). */
  dynamic: boolean;
}

type DeclarationTable = { [K in keyof GroundingParameters]: Declaration<K> };

export const PARAMETER_DECLARATIONS: DeclarationTable = {
  model_path: {
    name: "model_path",
    type: "string",
    default: "",
    description: "Model directory containing manifest.json; empty selects the bundled model.",
    dynamic: false,
  },
  policy: {
    name: "policy",
    type: "string",
    default: "budget",
    allowed: POLICY_NAMES,
    description:
      "Block selection: full (every block), lgmdp (gate, hard skip), softskip (gate, skipped scales approximated), budget (gate score per predicted ms under the latency budget), static (one fixed subnetwork).",
    dynamic: true,
  },
  latency_budget_ms: {
    name: "latency_budget_ms",
    type: "double",
    default: 200,
    range: { min: 1, max: 10000 },
    description: "End-to-end latency target per frame in ms, from frame arrival to published result.",
    dynamic: true,
  },
  gate_threshold: {
    name: "gate_threshold",
    type: "double",
    default: -1,
    range: { min: -1, max: 1 },
    description:
      "Gate probability at or above which a gateable block runs under lgmdp and softskip; a negative value uses the model's calibrated threshold.",
    dynamic: true,
  },
  softskip: {
    name: "softskip",
    type: "bool",
    default: true,
    description: "Approximate skipped visual scales with SoftSkip modules under the budget policy.",
    dynamic: true,
  },
  min_score: {
    name: "min_score",
    type: "double",
    default: -1,
    range: { min: -1, max: 1 },
    description:
      "Minimum grounding score (0..1) to report grounded, lower scores report not found; a negative value uses the model's calibrated threshold.",
    dynamic: true,
  },
  command_ttl_s: {
    name: "command_ttl_s",
    type: "double",
    default: 10,
    range: { min: 0, max: 3600 },
    description: "Seconds a command keeps being grounded on new frames; 0 grounds it on one frame.",
    dynamic: true,
  },
  max_image_age_ms: {
    name: "max_image_age_ms",
    type: "double",
    default: 1000,
    range: { min: 0, max: 60000 },
    description: "Frames older than this (ms since arrival) when the model is free are dropped; 0 disables.",
    dynamic: true,
  },
  image_transport: {
    name: "image_transport",
    type: "string",
    default: "raw",
    allowed: IMAGE_TRANSPORTS,
    description: "raw subscribes to image (sensor_msgs/Image); compressed to image/compressed (sensor_msgs/CompressedImage).",
    dynamic: false,
  },
  publish_debug_image: {
    name: "publish_debug_image",
    type: "bool",
    default: false,
    description: "Publish ~/debug_image with the grounded box drawn.",
    dynamic: false,
  },
  num_threads: {
    name: "num_threads",
    type: "integer",
    default: 1,
    range: { min: 1, max: 64 },
    description: "ONNX Runtime intra-op threads per block session.",
    dynamic: false,
  },
  nice: {
    name: "nice",
    type: "integer",
    default: 0,
    range: { min: -20, max: 19 },
    description:
      "Unix nice value of the node's main and inference threads, set at start; 0 leaves them as started. Below 0 they run ahead of other processes, " +
      "which keeps latency within budget when other work loads every core; that needs CAP_SYS_NICE, and without it the node warns and runs at 0.",
    dynamic: false,
  },
  reply_spin_ms: {
    name: "reply_spin_ms",
    type: "double",
    default: 2.0,
    range: { min: 0, max: 10 },
    description:
      "Maximum busy wait of the main thread for each inference's result, in ms, starting about 0.5 ms before the predicted end; 0 never waits busily. " +
      "A value above 0 also lets the inference thread wait up to 0.5 ms for a raw frame's request. " +
      "Together they save two wake-ups of a sleeping thread (about 0.3 ms per frame on an Intel Xeon VM, nothing on an AMD EPYC VM) for about 0.7 ms of CPU per frame, and are skipped while other processes slow inference down.",
    dynamic: false,
  },
};

export const PARAMETER_NAMES = Object.keys(PARAMETER_DECLARATIONS) as (keyof GroundingParameters)[];

/** Returns a fresh copy of the declared defaults. */
export function defaultParameters(): GroundingParameters {
  const entries = PARAMETER_NAMES.map((name) => [name, PARAMETER_DECLARATIONS[name].default]);
  return Object.fromEntries(entries) as GroundingParameters;
}

/**
 * Maps a threshold parameter (gate_threshold, min_score) to an engine override: negative
 * values mean "use the model's calibrated threshold", which the engine applies when the
 * override is undefined. Thresholds belong to a model, so a fixed default would be wrong
 * for every model but one.
 */
export function thresholdOverride(value: number): number | undefined {
  return value < 0 ? undefined : value;
}
