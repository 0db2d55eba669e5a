/**
 * Offered QoS profiles as rosbag2 records them. Up to metadata version 8 (Humble, Iron)
 * they are a YAML string that contains a list with numeric enums (rmw_qos_*_policy_t
 * values). From version 9 (Jazzy) metadata.yaml contains the list itself with string
 * enums, while MCAP channel metadata and sqlite3 topic rows still contain a YAML string.
 */
import { parse as parseYaml } from "yaml";

import { describeError } from "../errors";
import type { QosProfile } from "./types";

// Numeric values of rmw_qos_history_policy_e, rmw_qos_reliability_policy_e and
// rmw_qos_durability_policy_e, in declaration order.
const HISTORY_BY_NUMBER: QosProfile["history"][] = ["system_default", "keep_last", "keep_all", "unknown"];
const RELIABILITY_BY_NUMBER: QosProfile["reliability"][] = ["system_default", "reliable", "best_effort", "unknown"];
const DURABILITY_BY_NUMBER: QosProfile["durability"][] = ["system_default", "transient_local", "volatile", "unknown"];

/**
 * Parses `offered_qos_profiles` in either form. Returns [] for an empty value; throws an
 * Error naming the problem for anything that is neither a list nor a YAML string of one.
 */
export function parseQosProfiles(value: unknown): QosProfile[] {
  if (value === undefined || value === null || value === "") {
    return [];
  }

  let list: unknown = value;
  if (typeof value === "string") {
    try {
      list = parseYaml(value);
    } catch (error) {
      throw new Error(`offered_qos_profiles is not valid YAML: ${describeError(error)}`);
    }
    if (list === null) {
      return [];
    }
  }
  if (!Array.isArray(list)) {
    throw new Error(`offered_qos_profiles must be a list but is ${JSON.stringify(value).slice(0, 80)}`);
  }
  return list.map((entry, index) => parseProfile(entry, index));
}

function parseProfile(entry: unknown, index: number): QosProfile {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    throw new Error(`offered_qos_profiles[${index}] must be a map but is ${JSON.stringify(entry)}`);
  }
  const fields = entry as Record<string, unknown>;
  const depth = Number(fields["depth"] ?? 0);
  return {
    history: enumValue(fields["history"], HISTORY_BY_NUMBER),
    depth: Number.isFinite(depth) ? depth : 0,
    reliability: enumValue(fields["reliability"], RELIABILITY_BY_NUMBER),
    durability: enumValue(fields["durability"], DURABILITY_BY_NUMBER),
  };
}

/** Maps a numeric enum or a policy name to the policy name; anything else is "unknown". */
function enumValue<T extends string>(value: unknown, byNumber: readonly T[]): T | "unknown" {
  if (typeof value === "number") {
    return byNumber[value] ?? "unknown";
  }
  if (typeof value === "string") {
    const name = value.toLowerCase() as T;
    return byNumber.includes(name) ? name : "unknown";
  }
  return "unknown";
}
