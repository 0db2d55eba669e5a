/**
 * RosTransport over rclnodejs 2.x. This boundary converts QoS profiles to rclnodejs QoS
 * objects, ms to BigInt ns for timers, and parameter declarations to rclnodejs Parameter
 * and ParameterDescriptor objects with ranges. It also converts BigInt ROS time to
 * `{sec, nanosec}` numbers, because a BigInt in a message's `sec` field throws.
 *
 * NOTE: tested against test/ros/fake-rclnodejs.ts, written from the rclnodejs 2.2.0
 * sources; it has not run against a real rclnodejs build on a ROS 2 install.
 */
import { describeError, ParameterError, StateError } from "../errors";
import type { Logger } from "../log";
import { NODE_NAME } from "../params/file";
import type { Stamp } from "../stream/types";
import {
  PARAMETER_TYPE,
  CLOCK_TYPE,
  RclClock,
  QOS_POLICY,
  RclLifecycleNode,
  RclNode,
  RclnodejsModule,
  RclParameter,
  RclParameterDescriptor,
  RclQoS,
} from "./rclnodejs-api";
import type {
  Disposable,
  LifecycleHandlers,
  ParameterApply,
  ParameterCheck,
  ParameterDeclaration,
  QosProfile,
  RosTransport,
  ServiceSpec,
  TopicPublisher,
  TopicSpec,
} from "./transport";

const NANOSECONDS_PER_MS = 1_000_000n;

const TYPE_CODES: Record<ParameterDeclaration["type"], number> = {
  bool: PARAMETER_TYPE.BOOL,
  integer: PARAMETER_TYPE.INTEGER,
  double: PARAMETER_TYPE.DOUBLE,
  string: PARAMETER_TYPE.STRING,
};

const TYPE_NAMES: Record<number, string> = {
  [PARAMETER_TYPE.NOT_SET]: "not set",
  [PARAMETER_TYPE.BOOL]: "bool",
  [PARAMETER_TYPE.INTEGER]: "integer",
  [PARAMETER_TYPE.DOUBLE]: "double",
  [PARAMETER_TYPE.STRING]: "string",
};

export interface RclnodejsTransportOptions {
  /** Create a managed (lifecycle) node instead of a plain node. */
  lifecycle: boolean;
  /** Node name before `__node:=` remapping. Default: softskip_grounding. */
  nodeName?: string;
}

export class RclnodejsTransport implements RosTransport {
  readonly logger: Logger;
  readonly isLifecycle: boolean;
  /** Declared parameter types, to name a type mismatch in a rejection. */
  private readonly declaredTypes = new Map<string, ParameterDeclaration["type"]>();
  /** Clocks of live timers; see createTimer. */
  private readonly timerClocks = new Set<RclClock>();
  private closed = false;

  private constructor(
    private readonly rcl: RclnodejsModule,
    private readonly node: RclNode,
    lifecycle: boolean,
  ) {
    this.isLifecycle = lifecycle;
    this.logger = loggerFromRcl(node);
  }

  /**
   * Initialises rclnodejs with `argv` (where `--ros-args` remappings and parameter files
   * are read) and creates the node.
   */
  static async create(rcl: RclnodejsModule, argv: string[], options: RclnodejsTransportOptions): Promise<RclnodejsTransport> {
    await rcl.init(undefined, argv);
    const nodeOptions = new rcl.NodeOptions();
    const name = options.nodeName ?? NODE_NAME;
    const node = options.lifecycle
      ? new rcl.lifecycle.LifecycleNode(name, "", undefined, nodeOptions, true)
      : new rcl.Node(name, "", undefined, nodeOptions);
    return new RclnodejsTransport(rcl, node, options.lifecycle);
  }

  get nodeName(): string {
    const namespace = this.node.namespace();
    const prefix = namespace === "/" || namespace === "" ? "/" : `${namespace}/`;
    return `${prefix}${this.node.name()}`;
  }

  now(): Stamp {
    const { seconds, nanoseconds } = this.node.getClock().now().secondsAndNanoseconds;
    return { sec: Number(seconds), nanosec: Number(nanoseconds) };
  }

  resolveTopicName(name: string): string {
    return this.node.resolveTopicName(name);
  }

  subscribe<T>(spec: TopicSpec, callback: (message: T) => void): Disposable {
    const subscription = this.node.createSubscription(spec.type, spec.name, { qos: this.qos(spec.qos) }, (message) =>
      callback(message as T),
    );
    return { dispose: () => this.node.destroySubscription(subscription) };
  }

  advertise<T>(spec: TopicSpec): TopicPublisher<T> {
    const publisher = this.node.createPublisher(spec.type, spec.name, { qos: this.qos(spec.qos) });
    return {
      publish: (message: T) => publisher.publish(message as object),
      dispose: () => this.node.destroyPublisher(publisher),
    };
  }

  provideService<Request, Response>(spec: ServiceSpec, handler: (request: Request) => Promise<Response>): Disposable {
    const service = this.node.createService(spec.type, spec.name, (request, response) => {
      handler(request as Request)
        // send throws when the service was destroyed while the handler ran (shutdown).
        .then((result) => response.send(result as object))
        .catch((error: unknown) => this.logger.error(`Service ${spec.name} failed: ${describeError(error)}`));
    });
    return { dispose: () => this.node.destroyService(service) };
  }

  createTimer(periodMs: number, callback: () => void): Disposable {
    // Steady time, so that the timer keeps running while a paused bag stops /clock.
    const steady = new this.rcl.Clock(CLOCK_TYPE.STEADY_TIME);
    const timer = this.node.createTimer(BigInt(Math.round(periodMs)) * NANOSECONDS_PER_MS, callback, steady);
    // rclnodejs's timer does not reference its clock, and the native timer is freed with
    // the clock's handle, so the clock must live as long as the timer.
    this.timerClocks.add(steady);
    return {
      dispose: () => {
        this.node.destroyTimer(timer);
        this.timerClocks.delete(steady);
      },
    };
  }

  declareParameters(declarations: readonly ParameterDeclaration[], check: ParameterCheck): Map<string, unknown> {
    const overrides = new Map(this.node.getParameterOverrides().map((parameter) => [parameter.name, parameter]));
    const parameters: RclParameter[] = [];
    const descriptors: RclParameterDescriptor[] = [];

    for (const declaration of declarations) {
      const override = overrides.get(declaration.name);
      if (override !== undefined) {
        const reason = typeMismatch(declaration, override) ?? check(declaration.name, override.value);
        if (reason !== null) {
          throw new ParameterError(declaration.name, `Invalid parameter override: ${reason}`);
        }
      }
      this.declaredTypes.set(declaration.name, declaration.type);
      parameters.push(this.parameterFrom(declaration));
      descriptors.push(this.descriptorFrom(declaration));
    }

    try {
      this.node.declareParameters(parameters, descriptors);
    } catch (error) {
      throw new ParameterError("parameters", `Declaring the node's parameters failed: ${describeError(error)}`);
    }
    return new Map(declarations.map((declaration) => [declaration.name, this.node.getParameter(declaration.name).value]));
  }

  watchParameters(check: ParameterCheck, apply: ParameterApply): void {
    // rclnodejs checks the descriptor (read-only, type, range) between the pre-set and
    // on-set callbacks, with reasons that do not name the value. So the pre-set callback
    // logs our reason for every rejection. The on-set callback returns it to the caller
    // when the descriptor check passes, as for an enum value outside the allowed set.
    let pendingReason: string | null = null;
    this.node.addPreSetParametersCallback((parameters) => {
      pendingReason = null;
      for (const parameter of parameters) {
        const declared = this.declaredTypes.get(parameter.name);
        const mismatch = declared === undefined ? null : typeMismatch({ name: parameter.name, type: declared }, parameter);
        const reason = mismatch ?? check(parameter.name, parameter.value);
        if (reason !== null) {
          this.logger.warn(`Rejected parameter change: ${reason}`);
          pendingReason = reason;
          break;
        }
      }
      return parameters;
    });
    this.node.addOnSetParametersCallback(() => {
      const reason = pendingReason;
      pendingReason = null;
      return reason === null ? { successful: true, reason: "" } : { successful: false, reason };
    });
    this.node.addPostSetParametersCallback((parameters) => {
      apply(new Map(parameters.map((parameter) => [parameter.name, parameter.value])));
    });
  }

  registerLifecycle(handlers: LifecycleHandlers): void {
    if (!this.isLifecycle) {
      throw new StateError("registerLifecycle() requires a transport created with lifecycle: true; pass --lifecycle.");
    }
    const node = this.node as RclLifecycleNode;
    const codes = this.rcl.lifecycle.CallbackReturnCode;
    const wrap = (handler: () => boolean) => (): number => (handler() ? codes.SUCCESS : codes.FAILURE);
    node.registerOnConfigure(wrap(handlers.configure));
    node.registerOnActivate(wrap(handlers.activate));
    node.registerOnDeactivate(wrap(handlers.deactivate));
    node.registerOnCleanup(wrap(handlers.cleanup));
    node.registerOnShutdown(wrap(handlers.shutdown));
  }

  spin(): void {
    this.node.spin();
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    try {
      this.node.destroy();
    } finally {
      if (!this.rcl.isShutdown()) {
        this.rcl.shutdown();
      }
    }
  }

  private qos(profile: QosProfile): RclQoS {
    const reliability =
      profile.reliability === "reliable" ? QOS_POLICY.RELIABILITY_RELIABLE : QOS_POLICY.RELIABILITY_BEST_EFFORT;
    return new this.rcl.QoS(QOS_POLICY.HISTORY_KEEP_LAST, profile.depth, reliability, QOS_POLICY.DURABILITY_VOLATILE);
  }

  private parameterFrom(declaration: ParameterDeclaration): RclParameter {
    const value = declaration.type === "integer" ? BigInt(declaration.default as number) : declaration.default;
    return new this.rcl.Parameter(declaration.name, TYPE_CODES[declaration.type], value);
  }

  private descriptorFrom(declaration: ParameterDeclaration): RclParameterDescriptor {
    let range;
    if (declaration.range && declaration.type === "integer") {
      range = new this.rcl.IntegerRange(BigInt(declaration.range.min), BigInt(declaration.range.max), 1n);
    } else if (declaration.range) {
      range = new this.rcl.FloatingPointRange(declaration.range.min, declaration.range.max, 0);
    }
    const descriptor = new this.rcl.ParameterDescriptor(
      declaration.name,
      TYPE_CODES[declaration.type],
      declaration.description,
      declaration.readOnly,
      range,
    );
    if (declaration.allowed) {
      descriptor.additionalConstraints = `One of: ${declaration.allowed.join(", ")}.`;
    }
    return descriptor;
  }
}

/**
 * Names a parameter whose ROS type differs from the declaration, the usual case being a
 * whole number written without a decimal point for a double parameter.
 */
function typeMismatch(declaration: Pick<ParameterDeclaration, "name" | "type">, parameter: RclParameter): string | null {
  const expected = TYPE_CODES[declaration.type];
  if (parameter.type === expected) {
    return null;
  }
  const received = TYPE_NAMES[parameter.type] ?? `type ${parameter.type}`;
  const valueText = typeof parameter.value === "string" ? JSON.stringify(parameter.value) : String(parameter.value);
  const hint = declaration.type === "double" && parameter.type === PARAMETER_TYPE.INTEGER ? `; write ${valueText}.0` : "";
  return `Parameter ${declaration.name} is a ${declaration.type} but received the ${received} ${valueText}${hint}.`;
}

function loggerFromRcl(node: RclNode): Logger {
  const logging = node.getLogger();
  return {
    debug: (message) => void logging.debug(message),
    info: (message) => void logging.info(message),
    warn: (message) => void logging.warn(message),
    error: (message) => void logging.error(message),
  };
}
