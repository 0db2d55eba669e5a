/**
 * Public contract between the grounding node and a ROS 2 client library. The node only
 * talks to this interface; src/ros/rclnodejs-transport.ts implements it over rclnodejs,
 * and tests drive the same implementation through a fake rclnodejs module.
 */
import type { Logger } from "../log";
import type { Stamp } from "../stream/types";

/** QoS as the contract table states it; history is always keep-last. */
export interface QosProfile {
  reliability: "reliable" | "best_effort";
  /** Keep-last depth, in messages. */
  depth: number;
}

export interface TopicSpec {
  /** Topic name as the node declares it, before remapping (`image`, `~/result`). */
  name: string;
  /** Fully qualified interface name, `pkg/msg/Type`. */
  type: string;
  qos: QosProfile;
}

export interface ServiceSpec {
  name: string;
  /** `pkg/srv/Type`. */
  type: string;
}

/** A subscription, publisher, service or timer that stops when disposed. */
export interface Disposable {
  dispose(): void;
}

export interface TopicPublisher<T> extends Disposable {
  publish(message: T): void;
}

/** One declared parameter as the client library receives it. */
export interface ParameterDeclaration {
  name: string;
  type: "string" | "double" | "integer" | "bool";
  default: string | number | boolean;
  description: string;
  range?: { min: number; max: number };
  /** Allowed values of an enum-like string, shown as the descriptor's constraints. */
  allowed?: readonly string[];
  readOnly: boolean;
}

/**
 * Decides on a requested parameter change: returns null to accept or the reason to
 * reject. Integer values may arrive as BigInt.
 */
export type ParameterCheck = (name: string, value: unknown) => string | null;

/** Applies accepted parameter changes, after the library has stored them. */
export type ParameterApply = (changes: ReadonlyMap<string, unknown>) => void;

/**
 * Transition handlers of a managed node. Each returns true on success; a false or a
 * thrown error fails the transition and leaves the node in its previous state.
 */
export interface LifecycleHandlers {
  configure(): boolean;
  activate(): boolean;
  deactivate(): boolean;
  cleanup(): boolean;
  shutdown(): boolean;
}

export interface RosTransport {
  readonly nodeName: string;
  /** Logger that writes to the ROS log (rosout and the console). */
  readonly logger: Logger;
  /** Current ROS time (simulated time when use_sim_time is true). */
  now(): Stamp;
  /** Expands a topic name (`~/x`, relative names) and applies remapping rules. */
  resolveTopicName(name: string): string;
  subscribe<T>(spec: TopicSpec, callback: (message: T) => void): Disposable;
  advertise<T>(spec: TopicSpec): TopicPublisher<T>;
  /** Serves requests; the handler's Promise resolves to the response. */
  provideService<Request, Response>(spec: ServiceSpec, handler: (request: Request) => Promise<Response>): Disposable;
  /**
   * Calls `callback` every `periodMs` milliseconds of steady (monotonic wall) time, also
   * under `use_sim_time`, so a paused /clock does not stop it.
   */
  createTimer(periodMs: number, callback: () => void): Disposable;
  /**
   * Declares parameters, applying overrides from `--ros-args -p` or `--params-file`, and
   * returns each parameter's starting value. Throws ParameterError when an override has
   * the wrong type or is rejected by `check`.
   */
  declareParameters(declarations: readonly ParameterDeclaration[], check: ParameterCheck): Map<string, unknown>;
  /**
   * Routes later parameter changes through `check`, logging each rejection with its
   * reason, then passes accepted ones to `apply`.
   */
  watchParameters(check: ParameterCheck, apply: ParameterApply): void;
  /** Whether the node is a managed (lifecycle) node; then `registerLifecycle` must be called. */
  readonly isLifecycle: boolean;
  registerLifecycle(handlers: LifecycleHandlers): void;
  /** Starts delivering callbacks. */
  spin(): void;
  /** Destroys the node and shuts the client library down; safe to call twice. */
  close(): void;
}
