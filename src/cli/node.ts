/**
 * `softskip node [--lifecycle] [--ros-args ...]`: runs the ROS 2 grounding node. Everything
 * from `--ros-args` on goes to rcl (remappings, `-p`, `--params-file`, `use_sim_time`).
 */
import { ArgumentError } from "../errors";
import { loadRclnodejs } from "../ros/load-rclnodejs";

const USAGE = `Usage: softskip node [--lifecycle] [--ros-args ROS_ARGS...]

Runs the softskip_grounding ROS 2 node (needs a sourced ROS 2 and rclnodejs).

  --lifecycle   start as a managed node in the unconfigured state; configure and
                activate it with ros2 lifecycle set (default: plain node, active at once)
  --ros-args    the rest are ROS arguments, for example
                --ros-args --params-file config/params.yaml -r image:=/camera/image_raw
  -h, --help    print this help`;

/** Time allowed for the last log lines after a stop before the process exits, in ms. */
const EXIT_GRACE_MS = 2000;

interface NodeArguments {
  lifecycle: boolean;
  help: boolean;
  rosArgs: string[];
}

/** Splits our own options from the ROS arguments; throws ArgumentError for unknown ones. */
export function parseNodeArguments(args: readonly string[]): NodeArguments {
  const rosStart = args.indexOf("--ros-args");
  const own = rosStart === -1 ? args : args.slice(0, rosStart);
  const rosArgs = rosStart === -1 ? [] : args.slice(rosStart);
  const parsed: NodeArguments = { lifecycle: false, help: false, rosArgs };
  for (const argument of own) {
    if (argument === "--lifecycle") {
      parsed.lifecycle = true;
    } else if (argument === "--help" || argument === "-h") {
      parsed.help = true;
    } else {
      throw new ArgumentError(
        `Unknown argument ${JSON.stringify(argument)} for softskip node; expected --lifecycle, --help or --ros-args followed by ROS arguments.`,
      );
    }
  }
  return parsed;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseNodeArguments(args);
  if (parsed.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }

  // Load rclnodejs before the model runtime, so a machine without ROS fails in one line.
  const rclnodejs = loadRclnodejs();
  const [{ BUNDLED_MODEL_DIR, loadGroundingEngine }, { createGroundingStream }, { renderDebugImage }, { startGroundingNode }] =
    await Promise.all([
      import("../runtime/index.js"),
      import("../stream/index.js"),
      import("../ros/debug-image.js"),
      import("../ros/run-node.js"),
    ]);

  const running = await startGroundingNode({
    rclnodejs,
    argv: [process.argv[0] ?? "node", process.argv[1] ?? "softskip", ...parsed.rosArgs],
    lifecycle: parsed.lifecycle,
    loadEngine: loadGroundingEngine,
    createStream: createGroundingStream,
    bundledModelDir: BUNDLED_MODEL_DIR,
    renderDebugImage,
  });
  await running.stopped;

  // The engine's worker and rclnodejs are closed by now. Any handle still open must not
  // keep `ros2 launch` waiting for the process to end.
  setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_GRACE_MS).unref();
  return 0;
}
