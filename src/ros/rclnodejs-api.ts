/**
 * The part of the rclnodejs 2.x API that the node calls, typed after the declarations that
 * rclnodejs 2.2.0 ships in types/*.d.ts. rclnodejs is an optional dependency that builds
 * only against a sourced ROS 2, so the project cannot import its types. The real module
 * and the test fake (test/ros/fake-rclnodejs.ts) both satisfy these interfaces.
 *
 * Facts taken from the 2.2.0 sources, not only the declarations:
 * - `QoS#reliability` is a getter/setter property; the declaration's `reliability()`
 *   method form is wrong. Likewise ParameterDescriptor's range is the `range` property,
 *   not the declared `rangeConstraint`.
 * - Integer parameter values and `Time` nanoseconds are BigInt.
 * - Lifecycle transition callbacks are synchronous: the returned code decides the
 *   transition, so a callback cannot wait for a Promise.
 * - The parameter set order is: pre-set callbacks (may rewrite or empty the list),
 *   descriptor checks (declared, read-only, type, range), on-set callbacks (may veto
 *   with a reason), store, post-set callbacks.
 */

/** Values of rclnodejs `ParameterType` (rcl_interfaces/msg/ParameterType). */
export const PARAMETER_TYPE = {
  NOT_SET: 0,
  BOOL: 1,
  INTEGER: 2,
  DOUBLE: 3,
  STRING: 4,
} as const;

/** Values of `QoS.HistoryPolicy`, `QoS.ReliabilityPolicy` and `QoS.DurabilityPolicy`. */
export const QOS_POLICY = {
  HISTORY_KEEP_LAST: 1,
  RELIABILITY_RELIABLE: 1,
  RELIABILITY_BEST_EFFORT: 2,
  DURABILITY_VOLATILE: 2,
} as const;

export interface RclTime {
  readonly nanoseconds: bigint;
  readonly secondsAndNanoseconds: { seconds: bigint; nanoseconds: bigint };
}

export interface RclClock {
  now(): RclTime;
}

/** `Clock`: `new Clock(clockType)`, with a `ClockType` value. */
export interface RclClockConstructor {
  new (clockType?: number): RclClock;
}

/** Values of rclnodejs `ClockType` (types/clock_type.d.ts). */
export const CLOCK_TYPE = {
  ROS_TIME: 1,
  SYSTEM_TIME: 2,
  STEADY_TIME: 3,
} as const;

export interface RclLogging {
  debug(message: string): boolean;
  info(message: string): boolean;
  warn(message: string): boolean;
  error(message: string): boolean;
  fatal(message: string): boolean;
}

export interface RclQoS {
  history: number;
  depth: number;
  reliability: number;
  durability: number;
}

export interface RclQoSConstructor {
  new (history?: number, depth?: number, reliability?: number, durability?: number): RclQoS;
}

export interface RclParameter {
  readonly name: string;
  readonly type: number;
  /** BigInt for integer parameters. */
  value: unknown;
}

export interface RclParameterConstructor {
  new (name: string, type: number, value?: unknown): RclParameter;
}

export interface RclRange {
  readonly fromValue: number | bigint;
  readonly toValue: number | bigint;
  readonly step: number | bigint;
}

export interface RclFloatingPointRangeConstructor {
  new (from: number, to: number, step?: number, tolerance?: number): RclRange;
}

export interface RclIntegerRangeConstructor {
  new (from: bigint, to: bigint, step?: bigint): RclRange;
}

export interface RclParameterDescriptor {
  readonly name: string;
  readonly type: number;
  readonly description: string;
  readonly readOnly: boolean;
  additionalConstraints: string;
  /** The JavaScript property is `range`; the 2.2.0 declarations call it `rangeConstraint`. */
  range: RclRange | null;
}

export interface RclParameterDescriptorConstructor {
  new (name: string, type: number, description?: string, readOnly?: boolean, range?: RclRange): RclParameterDescriptor;
}

/** rcl_interfaces/msg/SetParametersResult. */
export interface RclSetParametersResult {
  successful: boolean;
  reason: string;
}

export interface RclPublishOptions {
  qos?: RclQoS | string;
}

export interface RclPublisher {
  readonly topic: string;
  publish(message: object): void;
}

export interface RclEntity {
  readonly topic?: string;
}

export interface RclTimer {
  cancel(): void;
  isCanceled(): boolean;
}

export interface RclServiceResponse {
  send(response: object): void;
}

export interface RclNodeOptions {
  startParameterServices: boolean;
  automaticallyDeclareParametersFromOverrides: boolean;
}

export interface RclNode {
  name(): string;
  namespace(): string;
  getLogger(): RclLogging;
  getClock(): RclClock;
  resolveTopicName(topicName: string, onlyExpand?: boolean): string;
  spin(timeout?: number): void;
  destroy(): void;
  createPublisher(typeClass: string, topic: string, options?: RclPublishOptions): RclPublisher;
  createSubscription(
    typeClass: string,
    topic: string,
    options: RclPublishOptions,
    callback: (message: unknown) => void,
  ): RclEntity;
  destroySubscription(subscription: RclEntity): void;
  destroyPublisher(publisher: RclPublisher): void;
  createService(
    typeClass: string,
    serviceName: string,
    callback: (request: unknown, response: RclServiceResponse) => void,
  ): RclEntity;
  destroyService(service: RclEntity): void;
  /** `period` in nanoseconds. */
  /**
   * `clock` decides which time the period counts in; without it, the node's clock (ROS
   * time). NOTE: the argument is checked against the current rclnodejs declarations and
   * sources, not against 2.2.0's.
   */
  createTimer(period: bigint, callback: () => void, clock?: RclClock): RclTimer;
  destroyTimer(timer: RclTimer): void;
  declareParameters(
    parameters: RclParameter[],
    descriptors?: RclParameterDescriptor[],
    ignoreOverrides?: boolean,
  ): RclParameter[];
  getParameter(name: string): RclParameter;
  getParameterOverrides(): RclParameter[];
  setParameter(parameter: RclParameter): RclSetParametersResult;
  addPreSetParametersCallback(callback: (parameters: RclParameter[]) => RclParameter[]): void;
  addOnSetParametersCallback(callback: (parameters: RclParameter[]) => RclSetParametersResult): void;
  addPostSetParametersCallback(callback: (parameters: RclParameter[]) => void): void;
}

export interface RclState {
  readonly id: number;
  readonly label: string;
}

/** A lifecycle callback receives the state the transition started from. */
export type RclTransitionCallback = (previousState: RclState) => number;

export interface RclLifecycleNode extends RclNode {
  readonly currentState: RclState;
  registerOnConfigure(callback: RclTransitionCallback): void;
  registerOnActivate(callback: RclTransitionCallback): void;
  registerOnDeactivate(callback: RclTransitionCallback): void;
  registerOnCleanup(callback: RclTransitionCallback): void;
  registerOnShutdown(callback: RclTransitionCallback): void;
  registerOnError(callback: RclTransitionCallback): void;
  configure(): RclState;
  activate(): RclState;
  deactivate(): RclState;
  cleanup(): RclState;
  shutdown(): RclState;
}

export interface RclNodeConstructor {
  new (nodeName: string, namespace?: string, context?: unknown, options?: RclNodeOptions): RclNode;
}

export interface RclLifecycleNodeConstructor {
  new (
    nodeName: string,
    namespace?: string,
    context?: unknown,
    options?: RclNodeOptions,
    enableCommunicationInterface?: boolean,
  ): RclLifecycleNode;
}

export interface RclNodeOptionsConstructor {
  new (): RclNodeOptions;
}

/** The rclnodejs module object, as `require("rclnodejs")` returns it. */
export interface RclnodejsModule {
  init(context?: unknown, argv?: string[]): Promise<void>;
  shutdown(context?: unknown): void;
  isShutdown(): boolean;
  removeSignalHandlers(): void;
  Node: RclNodeConstructor;
  NodeOptions: RclNodeOptionsConstructor;
  QoS: RclQoSConstructor;
  Clock: RclClockConstructor;
  Parameter: RclParameterConstructor;
  ParameterDescriptor: RclParameterDescriptorConstructor;
  FloatingPointRange: RclFloatingPointRangeConstructor;
  IntegerRange: RclIntegerRangeConstructor;
  lifecycle: {
    LifecycleNode: RclLifecycleNodeConstructor;
    CallbackReturnCode: { readonly SUCCESS: number; readonly FAILURE: number; readonly ERROR: number };
  };
}
