/**
 * A small fake of the rclnodejs 2.2.0 API the node uses (src/ros/rclnodejs-api.ts), with
 * an in-process graph standing in for the middleware:
 * - `init(context, argv)` reads `--ros-args` `-r from:=to`, `-p name:=value` and
 *   `--params-file FILE` (YAML whole numbers become INTEGER parameters, numbers with a
 *   decimal point DOUBLE, as in rcl).
 * - Names expand as in rcl: `~/x` to `/<node>/x`, relative to `/x`, then remap rules apply.
 * - A reliable subscription receives nothing from a best-effort publisher (QoS mismatch),
 *   keep-last depth bounds what waits for a node that is not spinning, and messages are
 *   checked against their definition and round-tripped through CDR.
 * - Parameters follow lib/node.js: overrides replace declared defaults, then pre-set
 *   callbacks, descriptor checks, on-set callbacks, store, post-set callbacks.
 * - `use_sim_time` is declared by every node; when true, the clock follows `/clock`.
 * - Lifecycle transitions follow rcl_lifecycle: FAILURE returns to the start state,
 *   ERROR runs the error callback, and an invalid transition throws.
 * Timers fire only when a test calls `graph.fireTimers()`: tests never wait for wall time.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

import {
  PARAMETER_TYPE,
  CLOCK_TYPE,
  QOS_POLICY,
  RclClock,
  RclEntity,
  RclLogging,
  RclNodeOptions,
  RclnodejsModule,
  RclParameter,
  RclPublisher,
  RclPublishOptions,
  RclQoS,
  RclServiceResponse,
  RclSetParametersResult,
  RclState,
  RclTime,
  RclTimer,
  RclTransitionCallback,
} from "../../src/ros/rclnodejs-api";
import { checkMessage, roundTrip } from "./fake-message-check";
import { FakeFloatingPointRange, FakeIntegerRange, FakeParameter, FakeParameterDescriptor } from "./fake-rcl-parameters";

export { FakeParameter };

export class FakeQoS implements RclQoS {
  constructor(
    public history = 0,
    public depth = 0,
    public reliability = 0,
    public durability = 0,
  ) {}
}

/** `qos_profile_*` names rclnodejs accepts in place of a QoS object. */
const PROFILE_QOS: Record<string, FakeQoS> = {
  qos_profile_default: new FakeQoS(QOS_POLICY.HISTORY_KEEP_LAST, 10, QOS_POLICY.RELIABILITY_RELIABLE),
  qos_profile_sensor_data: new FakeQoS(QOS_POLICY.HISTORY_KEEP_LAST, 5, QOS_POLICY.RELIABILITY_BEST_EFFORT),
};

function qosFrom(options: RclPublishOptions | undefined): FakeQoS {
  const qos = options?.qos ?? "qos_profile_default";
  if (typeof qos === "string") {
    const profile = PROFILE_QOS[qos];
    if (profile === undefined) {
      throw new TypeError(`The fake does not know the QoS profile ${qos}.`);
    }
    return profile;
  }
  return new FakeQoS(qos.history, qos.depth, qos.reliability, qos.durability);
}

export interface LogLine {
  level: "debug" | "info" | "warn" | "error" | "fatal";
  message: string;
}

class FakeLogging implements RclLogging {
  constructor(private readonly lines: LogLine[]) {}
  debug(message: string): boolean {
    return this.write("debug", message);
  }
  info(message: string): boolean {
    return this.write("info", message);
  }
  warn(message: string): boolean {
    return this.write("warn", message);
  }
  error(message: string): boolean {
    return this.write("error", message);
  }
  fatal(message: string): boolean {
    return this.write("fatal", message);
  }
  private write(level: LogLine["level"], message: string): boolean {
    this.lines.push({ level, message });
    return true;
  }
}

class FakeTime implements RclTime {
  constructor(readonly nanoseconds: bigint) {}
  get secondsAndNanoseconds(): { seconds: bigint; nanoseconds: bigint } {
    return { seconds: this.nanoseconds / 1_000_000_000n, nanoseconds: this.nanoseconds % 1_000_000_000n };
  }
}

interface Subscriber {
  node: FakeNode;
  topic: string;
  type: string;
  qos: FakeQoS;
  callback: (message: unknown) => void;
  waiting: unknown[];
}

export interface PublishedMessage {
  topic: string;
  type: string;
  qos: FakeQoS;
  message: unknown;
}

interface ServiceEntry {
  node: FakeNode;
  type: string;
  callback: (request: unknown, response: RclServiceResponse) => unknown;
}

/** rclnodejs `Clock`: only the type the timer reads and `now()` are modelled. */
class FakeClock implements RclClock {
  constructor(readonly clockType: number = CLOCK_TYPE.SYSTEM_TIME) {}
  now(): RclTime {
    return new FakeTime(BigInt(Date.now()) * 1_000_000n);
  }
}

class FakeTimerImpl implements RclTimer {
  private canceled = false;
  constructor(
    readonly node: FakeNode,
    readonly period: bigint,
    readonly callback: () => void,
    /** The clock passed to createTimer; undefined means the node's ROS clock. */
    readonly clock: FakeClock | undefined,
  ) {}
  cancel(): void {
    this.canceled = true;
  }
  isCanceled(): boolean {
    return this.canceled;
  }
}

/** The in-process middleware shared by all fake nodes and the test. */
export class FakeGraph {
  readonly published: PublishedMessage[] = [];
  readonly logs: LogLine[] = [];
  readonly publishers: { node: FakeNode; topic: string; type: string; qos: FakeQoS }[] = [];
  readonly subscribers: Subscriber[] = [];
  readonly services = new Map<string, ServiceEntry>();
  readonly timers: FakeTimerImpl[] = [];
  readonly nodes: FakeNode[] = [];

  /** Delivers `message` to every matching subscription, as a publisher with `qos` would. */
  deliver(topic: string, type: string, qos: FakeQoS, message: unknown): void {
    checkMessage(type, message);
    const wire = roundTrip(type, message);
    this.published.push({ topic, type, qos, message: wire });
    for (const subscriber of this.subscribers) {
      if (subscriber.topic !== topic) {
        continue;
      }
      if (subscriber.type !== type) {
        throw new TypeError(`Type mismatch on ${topic}: published ${type}, subscribed ${subscriber.type}.`);
      }
      const incompatible =
        subscriber.qos.reliability === QOS_POLICY.RELIABILITY_RELIABLE &&
        qos.reliability === QOS_POLICY.RELIABILITY_BEST_EFFORT;
      if (incompatible) {
        continue;
      }
      subscriber.waiting.push(roundTrip(type, message));
      if (subscriber.waiting.length > Math.max(1, subscriber.qos.depth)) {
        subscriber.waiting.shift();
      }
      subscriber.node.flush();
    }
  }

  /** Messages published on the fully qualified `topic`. */
  messagesOn<T>(topic: string): T[] {
    return this.published.filter((entry) => entry.topic === topic).map((entry) => entry.message as T);
  }

  subscriptionOn(topic: string): Subscriber | undefined {
    return this.subscribers.find((subscriber) => subscriber.topic === topic);
  }

  publisherOn(topic: string): { qos: FakeQoS; type: string } | undefined {
    return this.publishers.find((publisher) => publisher.topic === topic);
  }

  /** Calls a service like a client; resolves with the response. */
  callService(name: string, request: unknown): Promise<unknown> {
    const entry = this.services.get(name);
    if (entry === undefined) {
      return Promise.reject(new Error(`No service ${name}; offered: ${[...this.services.keys()].join(", ")}.`));
    }
    return new Promise((resolve, reject) => {
      const response: RclServiceResponse = { send: (message) => resolve(message) };
      Promise.resolve(entry.callback(request, response)).then((returned) => {
        if (returned !== undefined) {
          resolve(returned);
        }
      }, reject);
    });
  }

  /** Fires every live timer of every spinning node once. */
  fireTimers(): void {
    for (const timer of [...this.timers]) {
      if (!timer.isCanceled() && timer.node.spinning) {
        timer.callback();
      }
    }
  }
}

interface RosArguments {
  remaps: Map<string, string>;
  overrides: Map<string, FakeParameter>;
}

export class FakeNode {
  spinning = false;
  protected readonly graph: FakeGraph;
  private readonly nodeName: string;
  private readonly parameters = new Map<string, RclParameter>();
  private readonly descriptors = new Map<string, FakeParameterDescriptor>();
  private readonly preSet: ((parameters: RclParameter[]) => RclParameter[])[] = [];
  private readonly onSet: ((parameters: RclParameter[]) => RclSetParametersResult)[] = [];
  private readonly postSet: ((parameters: RclParameter[]) => void)[] = [];
  private simTimeNs: bigint | undefined;
  private readonly logging: FakeLogging;

  protected readonly module: FakeRclnodejs;

  constructor(name: string, namespace = "", _context?: unknown, _options?: RclNodeOptions) {
    this.module = currentModule();
    this.graph = this.module.graph;
    this.nodeName = this.module.arguments.remaps.get("__node") ?? name;
    if (namespace !== "" && namespace !== "/") {
      throw new TypeError("The fake supports the root namespace only.");
    }
    this.logging = new FakeLogging(this.graph.logs);
    this.graph.nodes.push(this);
    this.declareParameters([new FakeParameter("use_sim_time", PARAMETER_TYPE.BOOL, false)]);
    if (this.getParameter("use_sim_time").value === true) {
      this.simTimeNs = 0n;
      this.createSubscription("rosgraph_msgs/msg/Clock", "/clock", {}, (message) => {
        const clock = (message as { clock: { sec: number; nanosec: number } }).clock;
        this.simTimeNs = BigInt(clock.sec) * 1_000_000_000n + BigInt(clock.nanosec);
      });
    }
  }

  name(): string {
    return this.nodeName;
  }

  namespace(): string {
    return "/";
  }

  getLogger(): RclLogging {
    return this.logging;
  }

  getClock(): RclClock {
    return {
      now: () => new FakeTime(this.simTimeNs ?? BigInt(Date.now()) * 1_000_000n),
    };
  }

  /** Expands and remaps a topic or service name as rcl does. */
  resolveTopicName(name: string): string {
    const expanded = name.startsWith("~/")
      ? `/${this.nodeName}/${name.slice(2)}`
      : name.startsWith("/")
        ? name
        : `/${name}`;
    return this.module.arguments.remaps.get(expanded) ?? expanded;
  }

  spin(): void {
    if (this.spinning) {
      throw new Error("The node is already spinning.");
    }
    this.spinning = true;
    this.flush();
  }

  /** Runs the callbacks of messages waiting for this node, if it spins. */
  flush(): void {
    if (!this.spinning) {
      return;
    }
    for (const subscriber of this.graph.subscribers) {
      if (subscriber.node !== this) {
        continue;
      }
      while (subscriber.waiting.length > 0) {
        subscriber.callback(subscriber.waiting.shift());
      }
    }
  }

  destroy(): void {
    this.spinning = false;
    remove(this.graph.subscribers, (entry) => entry.node === this);
    remove(this.graph.publishers, (entry) => entry.node === this);
    remove(this.graph.nodes, (entry) => entry === this);
    for (const timer of this.graph.timers) {
      if (timer.node === this) {
        timer.cancel();
      }
    }
    for (const [name, service] of this.graph.services) {
      if (service.node === this) {
        this.graph.services.delete(name);
      }
    }
  }

  createPublisher(typeClass: string, topic: string, options?: RclPublishOptions): RclPublisher {
    const resolved = this.resolveTopicName(topic);
    const qos = qosFrom(options);
    const entry = { node: this, topic: resolved, type: typeClass, qos };
    this.graph.publishers.push(entry);
    return {
      topic: resolved,
      publish: (message: object) => {
        if (!this.graph.publishers.includes(entry)) {
          throw new Error(`Publisher on ${resolved} was destroyed.`);
        }
        this.graph.deliver(resolved, typeClass, qos, message);
      },
    };
  }

  destroyPublisher(publisher: RclPublisher): void {
    remove(this.graph.publishers, (entry) => entry.node === this && entry.topic === publisher.topic);
  }

  createSubscription(
    typeClass: string,
    topic: string,
    options: RclPublishOptions,
    callback: (message: unknown) => void,
  ): RclEntity {
    const subscriber: Subscriber = {
      node: this,
      topic: this.resolveTopicName(topic),
      type: typeClass,
      qos: qosFrom(options),
      callback,
      waiting: [],
    };
    this.graph.subscribers.push(subscriber);
    return subscriber;
  }

  destroySubscription(subscription: RclEntity): void {
    remove(this.graph.subscribers, (entry) => entry === subscription);
  }

  createService(
    typeClass: string,
    serviceName: string,
    callback: (request: unknown, response: RclServiceResponse) => void,
  ): RclEntity {
    const resolved = this.resolveTopicName(serviceName);
    if (this.graph.services.has(resolved)) {
      throw new Error(`Service ${resolved} already exists.`);
    }
    this.graph.services.set(resolved, { node: this, type: typeClass, callback });
    return { topic: resolved };
  }

  destroyService(service: RclEntity): void {
    this.graph.services.delete(service.topic ?? "");
  }

  createTimer(period: bigint, callback: () => void, clock?: RclClock): RclTimer {
    if (typeof period !== "bigint") {
      throw new TypeError(`Timer period must be a BigInt in nanoseconds but is ${typeof period}.`);
    }
    if (clock !== undefined && !(clock instanceof FakeClock)) {
      throw new TypeError("Timer clock must be a Clock instance.");
    }
    const timer = new FakeTimerImpl(this, period, callback, clock);
    this.graph.timers.push(timer);
    return timer;
  }

  destroyTimer(timer: RclTimer): void {
    timer.cancel();
    remove(this.graph.timers, (entry) => entry === timer);
  }

  getParameterOverrides(): RclParameter[] {
    return [...this.module.arguments.overrides.values()];
  }

  getParameter(name: string): RclParameter {
    return this.parameters.get(name) ?? new FakeParameter(name, PARAMETER_TYPE.NOT_SET);
  }

  getParameterDescriptor(name: string): FakeParameterDescriptor | undefined {
    return this.descriptors.get(name);
  }

  declareParameters(
    parameters: RclParameter[],
    descriptors: FakeParameterDescriptor[] = [],
    ignoreOverrides = false,
  ): RclParameter[] {
    if (descriptors.length > 0 && descriptors.length !== parameters.length) {
      throw new Error("Each parameter must have a corresponding ParameterDescriptor");
    }
    const declared: RclParameter[] = [];
    const declaredDescriptors: FakeParameterDescriptor[] = [];
    parameters.forEach((given, index) => {
      const override = ignoreOverrides ? undefined : this.module.arguments.overrides.get(given.name);
      const parameter = override ?? given;
      if (this.parameters.has(parameter.name)) {
        throw new Error(`Parameter(${parameter.name}) already declared.`);
      }
      const descriptor = descriptors[index] ?? FakeParameterDescriptor.fromParameter(parameter);
      descriptor.validate();
      declared.push(parameter);
      declaredDescriptors.push(descriptor);
    });

    for (const descriptor of declaredDescriptors) {
      this.descriptors.set(descriptor.name, descriptor);
    }
    const result = this.setAtomically(declared, true);
    if (!result.successful) {
      for (const descriptor of declaredDescriptors) {
        this.descriptors.delete(descriptor.name);
      }
      throw new Error(result.reason);
    }
    return declared.map((parameter) => this.getParameter(parameter.name));
  }

  setParameter(parameter: RclParameter): RclSetParametersResult {
    return this.setAtomically([parameter], false);
  }

  addPreSetParametersCallback(callback: (parameters: RclParameter[]) => RclParameter[]): void {
    this.preSet.push(callback);
  }

  addOnSetParametersCallback(callback: (parameters: RclParameter[]) => RclSetParametersResult): void {
    this.onSet.unshift(callback);
  }

  addPostSetParametersCallback(callback: (parameters: RclParameter[]) => void): void {
    this.postSet.push(callback);
  }

  private setAtomically(given: RclParameter[], declaring: boolean): RclSetParametersResult {
    let parameters = given;
    for (const callback of this.preSet) {
      parameters = callback(parameters);
      if (parameters.length === 0) {
        return { successful: false, reason: "parameter list is empty after pre-set callback; set rejected" };
      }
    }

    for (const parameter of parameters) {
      const descriptor = this.descriptors.get(parameter.name);
      if (descriptor === undefined) {
        return { successful: false, reason: `Parameter ${parameter.name} has not been declared` };
      }
      if (!declaring && descriptor.readOnly) {
        return { successful: false, reason: `Parameter ${parameter.name} is readonly` };
      }
      try {
        descriptor.validateParameter(parameter);
      } catch {
        // rclnodejs 2.2.0 returns this reason (sic) for every descriptor mismatch.
        return { successful: false, reason: `Parameter ${parameter.name} does not  readonly` };
      }
    }

    for (const callback of this.onSet) {
      const result = callback(parameters);
      if (!result.successful) {
        return result;
      }
    }
    for (const parameter of parameters) {
      this.parameters.set(parameter.name, parameter);
    }
    for (const callback of this.postSet) {
      callback(parameters);
    }
    return { successful: true, reason: "" };
  }
}

const LIFECYCLE_STATES: Record<string, RclState> = {
  unconfigured: { id: 1, label: "unconfigured" },
  inactive: { id: 2, label: "inactive" },
  active: { id: 3, label: "active" },
  finalized: { id: 4, label: "finalized" },
};

type TransitionName = "configure" | "activate" | "deactivate" | "cleanup" | "shutdown";

const LIFECYCLE_TRANSITIONS: Record<TransitionName, { from: string[]; to: string }> = {
  configure: { from: ["unconfigured"], to: "inactive" },
  activate: { from: ["inactive"], to: "active" },
  deactivate: { from: ["active"], to: "inactive" },
  cleanup: { from: ["inactive"], to: "unconfigured" },
  shutdown: { from: ["unconfigured", "inactive", "active"], to: "finalized" },
};

export const CALLBACK_RETURN = { SUCCESS: 97, FAILURE: 98, ERROR: 99 } as const;

export class FakeLifecycleNode extends FakeNode {
  private state: RclState = LIFECYCLE_STATES.unconfigured;
  private readonly callbacks = new Map<string, RclTransitionCallback>();

  constructor(name: string, namespace = "", context?: unknown, options?: RclNodeOptions, _enableCommunicationInterface = true) {
    super(name, namespace, context, options);
  }

  get currentState(): RclState {
    return this.state;
  }

  registerOnConfigure(callback: RclTransitionCallback): void {
    this.callbacks.set("configure", callback);
  }
  registerOnActivate(callback: RclTransitionCallback): void {
    this.callbacks.set("activate", callback);
  }
  registerOnDeactivate(callback: RclTransitionCallback): void {
    this.callbacks.set("deactivate", callback);
  }
  registerOnCleanup(callback: RclTransitionCallback): void {
    this.callbacks.set("cleanup", callback);
  }
  registerOnShutdown(callback: RclTransitionCallback): void {
    this.callbacks.set("shutdown", callback);
  }
  registerOnError(callback: RclTransitionCallback): void {
    this.callbacks.set("error", callback);
  }

  configure(): RclState {
    return this.change("configure");
  }
  activate(): RclState {
    return this.change("activate");
  }
  deactivate(): RclState {
    return this.change("deactivate");
  }
  cleanup(): RclState {
    return this.change("cleanup");
  }
  shutdown(): RclState {
    return this.change("shutdown");
  }

  /** Returns what the ChangeState service returns: whether the transition succeeded. */
  changeStateService(transition: TransitionName): boolean {
    try {
      const before = this.state;
      const after = this.change(transition);
      return after.id === LIFECYCLE_STATES[LIFECYCLE_TRANSITIONS[transition].to].id && before.id !== after.id;
    } catch {
      return false;
    }
  }

  private change(transition: TransitionName): RclState {
    const rule = LIFECYCLE_TRANSITIONS[transition];
    const start = this.state;
    if (!rule.from.includes(start.label)) {
      throw new Error(`No transition available from state ${transition}`);
    }
    const code = this.run(transition, start);
    if (code === CALLBACK_RETURN.SUCCESS) {
      this.state = LIFECYCLE_STATES[rule.to];
    } else if (code === CALLBACK_RETURN.FAILURE) {
      this.state = start;
    } else {
      const recovered = this.run("error", start) === CALLBACK_RETURN.SUCCESS;
      this.state = recovered ? LIFECYCLE_STATES.unconfigured : LIFECYCLE_STATES.finalized;
    }
    return this.state;
  }

  private run(name: string, start: RclState): number {
    const callback = this.callbacks.get(name);
    if (callback === undefined) {
      return CALLBACK_RETURN.SUCCESS;
    }
    try {
      return callback(start);
    } catch {
      return CALLBACK_RETURN.ERROR;
    }
  }
}

function remove<T>(items: T[], matches: (item: T) => boolean): void {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    if (matches(items[index])) {
      items.splice(index, 1);
    }
  }
}

/** Reads `-r`, `-p` and `--params-file` after `--ros-args`, up to `--`. */
function parseRosArguments(argv: readonly string[], nodeNames: readonly string[]): RosArguments {
  const parsed: RosArguments = { remaps: new Map(), overrides: new Map() };
  const start = argv.indexOf("--ros-args");
  if (start === -1) {
    return parsed;
  }
  for (let index = start + 1; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (flag === "--") {
      break;
    }
    if (value === undefined) {
      throw new Error(`Missing value after ${flag}`);
    }
    index += 1;
    if (flag === "-r" || flag === "--remap") {
      const [from, to] = value.split(":=");
      const key = from.startsWith("__") ? from : from.startsWith("/") ? from : `/${from}`;
      parsed.remaps.set(key, to);
    } else if (flag === "-p" || flag === "--param") {
      const [name, text] = value.split(":=");
      parsed.overrides.set(name, parameterFromYaml(name, parseYaml(text, { intAsBigInt: true })));
    } else if (flag === "--params-file") {
      readParamsFile(value, nodeNames, parsed.overrides);
    } else {
      throw new Error(`The fake does not support the ROS argument ${flag}.`);
    }
  }
  return parsed;
}

function readParamsFile(path: string, nodeNames: readonly string[], overrides: Map<string, FakeParameter>): void {
  const document = parseYaml(readFileSync(path, "utf8"), { intAsBigInt: true }) as Record<string, unknown>;
  for (const key of ["/**", ...nodeNames, ...nodeNames.map((name) => `/${name}`)]) {
    const section = document[key] as { ros__parameters?: Record<string, unknown> } | undefined;
    for (const [name, value] of Object.entries(section?.ros__parameters ?? {})) {
      overrides.set(name, parameterFromYaml(name, value));
    }
  }
}

function parameterFromYaml(name: string, value: unknown): FakeParameter {
  switch (typeof value) {
    case "bigint":
      return new FakeParameter(name, PARAMETER_TYPE.INTEGER, value);
    case "number":
      return new FakeParameter(name, PARAMETER_TYPE.DOUBLE, value);
    case "boolean":
      return new FakeParameter(name, PARAMETER_TYPE.BOOL, value);
    case "string":
      return new FakeParameter(name, PARAMETER_TYPE.STRING, value);
    default:
      throw new Error(`The fake does not support the value of parameter ${name}: ${String(value)}.`);
  }
}

let activeModule: FakeRclnodejs | undefined;

function currentModule(): FakeRclnodejs {
  if (activeModule === undefined) {
    throw new Error("Call FakeRclnodejs.create() before creating nodes.");
  }
  return activeModule;
}

/** The fake module object; pass it where the node expects `require("rclnodejs")`. */
export class FakeRclnodejs implements RclnodejsModule {
  readonly graph = new FakeGraph();
  arguments: RosArguments = { remaps: new Map(), overrides: new Map() };
  initialized = false;
  shutdownCalls = 0;
  signalHandlersRemoved = false;
  /** Node names whose parameter-file sections apply (rcl matches the remapped name too). */
  nodeNames = ["softskip_grounding"];

  readonly Node = FakeNode;
  readonly NodeOptions = class implements RclNodeOptions {
    startParameterServices = true;
    automaticallyDeclareParametersFromOverrides = false;
  };
  readonly QoS = FakeQoS;
  readonly Clock = FakeClock;
  readonly Parameter = FakeParameter;
  readonly ParameterDescriptor = FakeParameterDescriptor;
  readonly FloatingPointRange = FakeFloatingPointRange;
  readonly IntegerRange = FakeIntegerRange;
  readonly lifecycle = { LifecycleNode: FakeLifecycleNode, CallbackReturnCode: CALLBACK_RETURN };

  private constructor() {}

  /** Creates the module; nodes constructed from now on join its graph. */
  static create(): FakeRclnodejs {
    const module = new FakeRclnodejs();
    activeModule = module;
    return module;
  }

  async init(_context?: unknown, argv: string[] = process.argv): Promise<void> {
    if (this.initialized) {
      throw new Error("The context has already been initialized.");
    }
    this.arguments = parseRosArguments(argv, this.nodeNames);
    this.initialized = true;
  }

  shutdown(): void {
    if (!this.initialized) {
      throw new Error("The context is not initialized.");
    }
    this.shutdownCalls += 1;
    this.initialized = false;
    for (const node of [...this.graph.nodes]) {
      node.destroy();
    }
  }

  isShutdown(): boolean {
    return !this.initialized;
  }

  removeSignalHandlers(): void {
    this.signalHandlersRemoved = true;
  }

  /** The node the transport created; each test creates one. */
  get node(): FakeNode {
    const node = this.graph.nodes[0];
    if (node === undefined) {
      throw new Error("No node has been created.");
    }
    return node;
  }
}
