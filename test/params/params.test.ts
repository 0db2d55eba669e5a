import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { ParameterError } from "../../src/errors";
import { defaultParameters, PARAMETER_DECLARATIONS, PARAMETER_NAMES } from "../../src/params/declarations";
import { readParameterFile } from "../../src/params/file";
import { mergeParameters, validateParameter } from "../../src/params/validate";
import { makeTempDir } from "../bag/helpers";

const REPO_ROOT = resolve(__dirname, "../../..");
const temp = makeTempDir("params");
let written = 0;

/** Writes a parameter file under the suite's temporary folder and returns its path. */
function writeTemp(text: string): string {
  written += 1;
  const path = join(temp.dir, `params-${written}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe("parameters", () => {
  after(() => temp.remove());

  it("config/params.yaml matches the declared defaults", () => {
    const fromFile = readParameterFile(join(REPO_ROOT, "config/params.yaml"));
    assert.deepEqual(fromFile, defaultParameters());
  });

  it("every declaration has a description and a matching name", () => {
    for (const name of PARAMETER_NAMES) {
      const declaration = PARAMETER_DECLARATIONS[name];
      assert.equal(declaration.name, name);
      assert.ok(declaration.description.length > 10, `${name} needs a description`);
    }
  });

  it("accepts BigInt integers from rclnodejs", () => {
    assert.equal(validateParameter("num_threads", 4n), 4);
  });

  const rejections: [string, unknown, string][] = [
    ["policy", "fastest", "must be one of full, lgmdp, softskip, budget, static"],
    ["latency_budget_ms", -5, "between 1 and 10000"],
    ["latency_budget_ms", Number.NaN, "finite number"],
    ["gate_threshold", "0.5", "finite number"],
    ["min_score", 1.5, "between -1 and 1"],
    ["softskip", "yes", "true or false"],
    ["num_threads", 1.5, "integer"],
    ["image_transport", "theora", "raw, compressed"],
    ["model_path", 3, "expects a string"],
  ];
  for (const [name, value, fragment] of rejections) {
    it(`rejects ${name}=${String(value)}`, () => {
      assert.throws(
        () => validateParameter(name as keyof ReturnType<typeof defaultParameters>, value),
        (error: unknown) =>
          error instanceof ParameterError && error.parameter === name && error.message.includes(fragment) && error.message.includes(name),
      );
    });
  }

  it("rejects unknown names with the known list", () => {
    assert.throws(
      () => mergeParameters(defaultParameters(), { latency_budget: 100 }, "test"),
      (error: unknown) => error instanceof ParameterError && /Unknown parameter latency_budget in test/.test(error.message),
    );
  });

  it("reads the wildcard section and the node section", () => {
    const path = writeTemp(
      ["/**:", "  ros__parameters:", "    use_sim_time: true", "    policy: full", "softskip_grounding:", "  ros__parameters:", "    latency_budget_ms: 80.0"].join("\n"),
    );
    const parameters = readParameterFile(path);
    assert.equal(parameters.policy, "full");
    assert.equal(parameters.latency_budget_ms, 80);
  });

  it("names the file when it is missing or not YAML", () => {
    assert.throws(() => readParameterFile("/nonexistent/params.yaml"), /Cannot read parameter file \/nonexistent\/params.yaml/);
    const path = writeTemp("softskip_grounding: [unclosed");
    assert.throws(() => readParameterFile(path), (error: unknown) => error instanceof ParameterError && error.message.includes(path));
  });

  it("rejects a section without ros__parameters", () => {
    const path = writeTemp("softskip_grounding:\n  policy: full\n");
    assert.throws(() => readParameterFile(path), /must contain a ros__parameters map/);
  });

  it("rejects an empty file", () => {
    for (const text of ["", "# only a comment\n"]) {
      const path = writeTemp(text);
      assert.throws(() => readParameterFile(path), /is empty; add a softskip_grounding: ros__parameters: section, or leave the file out/);
    }
  });

  it("rejects a file with no section for the node", () => {
    const path = writeTemp("camera_driver:\n  ros__parameters:\n    fps: 30\n");
    assert.throws(() => readParameterFile(path), /has sections for camera_driver but none for this node; name the section \/\*\* or softskip_grounding/);
  });

  it("types whole numbers as ROS 2 does", () => {
    const integer = writeTemp("/**:\n  ros__parameters:\n    num_threads: 2\n    latency_budget_ms: 150.0\n");
    const parameters = readParameterFile(integer);
    assert.equal(parameters.num_threads, 2);
    assert.equal(parameters.latency_budget_ms, 150);
    const wrong = writeTemp("/**:\n  ros__parameters:\n    latency_budget_ms: 150\n");
    assert.throws(() => readParameterFile(wrong), /latency_budget_ms in .* is the integer 150, but the node declares it as a double; write 150\.0/);
  });
});
