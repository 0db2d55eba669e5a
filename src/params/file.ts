import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

import { ParameterError } from "../errors";
import { defaultParameters, GroundingParameters } from "./declarations";
import { mergeParameters } from "./validate";

export const NODE_NAME = "softskip_grounding";

/**
 * Reads a ROS 2 parameter file (the format `--ros-args --params-file` takes) and returns the
 * defaults merged with the values under `softskip_grounding`, `/softskip_grounding` or the
 * `/**` wildcard. Other nodes' sections are ignored; `use_sim_time` is a ROS-level
 * parameter and is ignored here too.
 */
export function readParameterFile(path: string): GroundingParameters {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ParameterError("params_file", `Cannot read parameter file ${path}: ${(error as Error).message}. Pass an existing YAML file.`);
  }

  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ParameterError("params_file", `Parameter file ${path} is not valid YAML: ${(error as Error).message}`);
  }

  return mergeParameters(defaultParameters(), extractNodeParameters(document, path), path);
}

/** Collects the `ros__parameters` maps that apply to this node, wildcard first. */
export function extractNodeParameters(document: unknown, path: string): Record<string, unknown> {
  if (document === null || document === undefined) {
    return {};
  }
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new ParameterError("params_file", `Parameter file ${path} must map node names to ros__parameters.`);
  }

  const sections = document as Record<string, unknown>;
  const keys = ["/**", NODE_NAME, `/${NODE_NAME}`];
  const values: Record<string, unknown> = {};
  for (const key of keys) {
    const section = sections[key];
    if (section === undefined) {
      continue;
    }
    const parameters = (section as Record<string, unknown> | null)?.["ros__parameters"];
    if (parameters === undefined || parameters === null || typeof parameters !== "object") {
      throw new ParameterError("params_file", `Section ${key} in ${path} must contain a ros__parameters map.`);
    }
    Object.assign(values, parameters);
  }
  delete values["use_sim_time"];
  return values;
}
