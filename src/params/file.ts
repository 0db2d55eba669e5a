import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

import { describeYamlError, ParameterError } from "../errors";
import { defaultParameters, GroundingParameters, PARAMETER_DECLARATIONS } from "./declarations";
import { mergeParameters } from "./validate";

export const NODE_NAME = "softskip_grounding";

/**
 * Reads a ROS 2 parameter file (the format `--ros-args --params-file` takes) and returns the
 * defaults merged with the values under `softskip_grounding`, `/softskip_grounding` or the
 * `/**` wildcard. Other nodes' sections are ignored, but an empty file or one with no
 * section for this node is an error. `use_sim_time` is a ROS-level parameter and is
 * ignored here too. Values are typed as ROS 2 types them. A double written as a whole
 * number without a decimal point is an integer, which the node rejects, so it is an
 * error here too.
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
    document = parseYaml(text, { intAsBigInt: true });
  } catch (error) {
    throw new ParameterError("params_file", `Parameter file ${path} is not valid YAML: ${describeYamlError(error)}. Fix the file and run again.`);
  }

  return mergeParameters(defaultParameters(), typedAsRos(extractNodeParameters(document, path), path), path);
}

/**
 * Turns YAML integers (read as bigint) into numbers where the parameter is an integer, and
 * rejects them where it is a double, as rcl's parameter file parser and the node do.
 */
function typedAsRos(values: Record<string, unknown>, path: string): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== "bigint") {
      typed[name] = value;
      continue;
    }
    const declaration = (PARAMETER_DECLARATIONS as Record<string, { type: string } | undefined>)[name];
    if (declaration?.type === "double") {
      throw new ParameterError(
        name,
        `Parameter ${name} in ${path} is the integer ${value}, but the node declares it as a double; write ${value}.0.`,
      );
    }
    typed[name] = Number(value);
  }
  return typed;
}

/** Collects the `ros__parameters` maps that apply to this node, wildcard first. */
export function extractNodeParameters(document: unknown, path: string): Record<string, unknown> {
  if (document === null || document === undefined) {
    // An empty file would silently mean every default, which is rarely what its author meant.
    throw new ParameterError(
      "params_file",
      `Parameter file ${path} is empty; add a ${NODE_NAME}: ros__parameters: section, or leave the file out to use the defaults.`,
    );
  }
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new ParameterError("params_file", `Parameter file ${path} must map node names to ros__parameters.`);
  }

  const sections = document as Record<string, unknown>;
  const keys = ["/**", NODE_NAME, `/${NODE_NAME}`];
  const others = Object.keys(sections).filter((key) => !keys.includes(key));
  if (others.length > 0 && others.length === Object.keys(sections).length) {
    throw new ParameterError(
      "params_file",
      `Parameter file ${path} has sections for ${others.join(", ")} but none for this node; name the section /** or ${NODE_NAME}.`,
    );
  }
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
