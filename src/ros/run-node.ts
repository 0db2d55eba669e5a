/**
 * Starts the grounding node on rclnodejs and stops it cleanly on SIGINT or SIGTERM.
 *
 * rclnodejs 2.x installs its own SIGINT handler that shuts ROS down but leaves the process
 * running, so `ros2 launch` would wait until it escalates to SIGKILL. The node removes that
 * handler and installs its own for both signals: deactivate, unload the model, destroy
 * the node, shut rclnodejs down, and let the caller exit.
 */
import { describeError } from "../errors";
import { GroundingNode, CreateStream, LoadEngine, RenderDebugImage } from "./grounding-node";
import type { RclnodejsModule } from "./rclnodejs-api";
import { RclnodejsTransport } from "./rclnodejs-transport";

/** The part of `process` the node needs for signals, so tests can pass an EventEmitter. */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  removeListener(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

export interface StartNodeOptions {
  rclnodejs: RclnodejsModule;
  /** Arguments for rcl, including `--ros-args ...`; normally process.argv. */
  argv: string[];
  /** Start as a managed node that waits in unconfigured for lifecycle transitions. */
  lifecycle: boolean;
  loadEngine: LoadEngine;
  createStream: CreateStream;
  bundledModelDir: string;
  renderDebugImage?: RenderDebugImage;
  /** Default: process. */
  signals?: SignalSource;
  /** Clock in ms for arrival times and latencies, the stream's clock. Default: monotonicNow. */
  now?: () => number;
}

export interface RunningNode {
  readonly node: GroundingNode;
  readonly transport: RclnodejsTransport;
  /** Resolves when the node has stopped (signal, lifecycle shutdown or `stop()`). */
  readonly stopped: Promise<void>;
  stop(reason: string): Promise<void>;
}

/**
 * Initialises rclnodejs, declares the parameters and, in plain mode, configures the node,
 * waits for the model and activates it. Rejects with ParameterError or ModelError when
 * the parameters or the model are unusable; rclnodejs is shut down first.
 */
export async function startGroundingNode(options: StartNodeOptions): Promise<RunningNode> {
  const rcl = options.rclnodejs;
  // Before init, which can take a while when rclnodejs generates message classes: until
  // the node's own handlers are installed, a signal ends the process the default way.
  rcl.removeSignalHandlers();
  const transport = await RclnodejsTransport.create(rcl, options.argv, { lifecycle: options.lifecycle });
  const logger = transport.logger;

  let node: GroundingNode;
  try {
    node = GroundingNode.create({
      transport,
      loadEngine: options.loadEngine,
      createStream: options.createStream,
      bundledModelDir: options.bundledModelDir,
      renderDebugImage: options.renderDebugImage,
      now: options.now,
    });
  } catch (error) {
    transport.close();
    throw error;
  }

  const signals = options.signals ?? process;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | undefined;

  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      signals.removeListener("SIGINT", onSigint);
      signals.removeListener("SIGTERM", onSigterm);
      logger.info(`Stopping: ${reason}.`);
      try {
        if (node.state !== "finalized") {
          await node.shutdown();
        }
      } catch (error) {
        logger.error(`Shutdown failed: ${describeError(error)}`);
      } finally {
        transport.close();
        resolveStopped();
      }
    })();
    return stopping;
  };
  const onSigint = (): void => void stop("received SIGINT");
  const onSigterm = (): void => void stop("received SIGTERM");
  signals.on("SIGINT", onSigint);
  signals.on("SIGTERM", onSigterm);

  try {
    if (options.lifecycle) {
      registerManagedNode(node, transport, stop);
      logger.info(`Managed node ${transport.nodeName} is unconfigured; run ros2 lifecycle set ${transport.nodeName} configure, then activate.`);
      transport.spin();
    } else {
      node.configure();
      // Spinning while the model loads keeps parameter services and /diagnostics running.
      transport.spin();
      await node.modelReady();
      // SIGINT or SIGTERM during the load has already stopped the node: a clean exit.
      if (stopping === undefined) {
        node.activate();
      }
    }
  } catch (error) {
    await stop(`start failed: ${describeError(error)}`);
    throw error;
  }
  return { node, transport, stopped, stop };
}

/**
 * Connects the lifecycle services to the node. A finalized node can do nothing more, so
 * the shutdown transition also stops the process. The stop runs after the transition
 * callback has returned to rclnodejs.
 */
function registerManagedNode(node: GroundingNode, transport: RclnodejsTransport, stop: (reason: string) => Promise<void>): void {
  const handlers = node.lifecycleHandlers();
  transport.registerLifecycle({
    ...handlers,
    shutdown: () => {
      const succeeded = handlers.shutdown();
      if (succeeded) {
        setImmediate(() => void stop("lifecycle shutdown transition"));
      }
      return succeeded;
    },
  });
}
