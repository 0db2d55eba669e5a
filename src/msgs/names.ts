import { ArgumentError } from "../errors";

/** "pkg/Type", "pkg/msg/Type", "pkg/srv/Type_Request" or "pkg/action/Type_Goal". */
const TYPE_NAME = /^([A-Za-z][A-Za-z0-9_]*)\/(?:(msg|srv|action)\/)?([A-Za-z][A-Za-z0-9_]*)$/;

interface TypeNameParts {
  packageName: string;
  kind: "msg" | "srv" | "action";
  typeName: string;
}

function splitTypeName(name: unknown): TypeNameParts {
  const match = typeof name === "string" ? TYPE_NAME.exec(name) : null;
  if (match === null) {
    const received = typeof name === "string" ? JSON.stringify(name) : `${String(name)} (${typeof name})`;
    throw new ArgumentError(
      `Invalid ROS message type name ${received}: expected "package/Type" or "package/msg/Type", ` +
        `for example "sensor_msgs/msg/Image".`,
    );
  }
  return {
    packageName: match[1],
    kind: (match[2] ?? "msg") as TypeNameParts["kind"],
    typeName: match[3],
  };
}

/**
 * Returns the full ROS 2 type name: "sensor_msgs/Image" becomes "sensor_msgs/msg/Image";
 * names that already carry `msg/`, `srv/` or `action/` are returned unchanged. Throws
 * ArgumentError for anything else.
 */
export function normalizeTypeName(name: string): string {
  const parts = splitTypeName(name);
  return `${parts.packageName}/${parts.kind}/${parts.typeName}`;
}

/**
 * Returns the short form that .msg files and `MSG:` dependency headers use for messages:
 * "sensor_msgs/msg/Image" becomes "sensor_msgs/Image". Service and action halves keep
 * their middle part ("pkg/srv/Type_Request"), because only `msg` is implied.
 */
export function shortTypeName(name: string): string {
  const parts = splitTypeName(name);
  if (parts.kind === "msg") {
    return `${parts.packageName}/${parts.typeName}`;
  }
  return `${parts.packageName}/${parts.kind}/${parts.typeName}`;
}
