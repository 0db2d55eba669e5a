/**
 * Loads rclnodejs only when the node starts. It is an optional dependency because it
 * compiles against a sourced ROS 2 install; everything else in SoftSkip runs without it.
 */
import { resolve } from "node:path";

import { describeError, SoftSkipError } from "../errors";
import type { RclnodejsModule } from "./rclnodejs-api";

/** rclnodejs is missing, or was installed without a sourced ROS 2 and cannot load. */
export class RclnodejsUnavailableError extends SoftSkipError {
  constructor(detail: string, command: string, options?: { cause?: unknown }) {
    super(
      "UNSUPPORTED",
      `rclnodejs cannot be loaded because ${detail}: source ROS 2 (source /opt/ros/$ROS_DISTRO/setup.bash) and run ${BUILD_ENV} ${command} in ${PACKAGE_ROOT}, adding npm_config_nodedir=/usr where no prebuilt binary exists so that it compiles against the local Node headers.`,
      options,
    );
  }
}

/** Folder holding package.json and node_modules, from dist/src/ros (source tree or install). */
const PACKAGE_ROOT = resolve(__dirname, "../../..");

/** `npm rebuild rclnodejs` runs `npx rimraf`, which stops at a prompt unless this is set. */
const BUILD_ENV = "npm_config_yes=true";
const INSTALL_COMMAND = "npm install --no-save rclnodejs@2";
const REBUILD_COMMAND = "npm rebuild rclnodejs";

/** Module names a require can fail on when rclnodejs itself is absent. */
function isMissingModule(error: unknown, name: string): boolean {
  const code = (error as { code?: string }).code;
  const message = describeError(error);
  return code === "MODULE_NOT_FOUND" && message.includes(`'${name}'`);
}

/**
 * Requires rclnodejs (or `moduleName`, for tests) and checks that it exposes the API the
 * node calls. Throws RclnodejsUnavailableError with one sentence saying how to build it.
 */
export function loadRclnodejs(moduleName = "rclnodejs", requireModule: (name: string) => unknown = require): RclnodejsModule {
  let loaded: unknown;
  try {
    loaded = requireModule(moduleName);
  } catch (error) {
    if (isMissingModule(error, moduleName)) {
      throw new RclnodejsUnavailableError("it is not installed", INSTALL_COMMAND, { cause: error });
    }
    const detail = `loading it failed (${describeError(error).split("\n")[0]})`;
    throw new RclnodejsUnavailableError(detail, REBUILD_COMMAND, { cause: error });
  }

  const module = ((loaded as { default?: unknown }).default ?? loaded) as Partial<RclnodejsModule>;
  const missing = (["init", "Node", "QoS", "Parameter", "ParameterDescriptor", "lifecycle"] as const).filter(
    (name) => module[name] === undefined,
  );
  if (missing.length > 0) {
    throw new RclnodejsUnavailableError(`the loaded module lacks ${missing.join(", ")} (rclnodejs 2.x is required)`, INSTALL_COMMAND);
  }
  return module as RclnodejsModule;
}
