import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

import { PARAMETER_DECLARATIONS, PARAMETER_NAMES } from "../../src/params/declarations";
import { NODE_NAME } from "../../src/params/file";
import {
  ANNOTATIONS_TOPIC,
  COMPRESSED_IMAGE_TOPIC,
  DEBUG_IMAGE_TOPIC,
  DETECTIONS_TOPIC,
  DIAGNOSTICS_TOPIC,
  GROUND_SERVICE,
  IMAGE_TOPIC,
  RESULT_TOPIC,
  TRANSCRIPT_TOPIC,
} from "../../src/ros/topics";
import { REPO_ROOT } from "./harness";

/**
 * ROS 2 packages released for Humble and Jazzy that package.xml may name, plus the
 * rosdep keys for Node.js and npm. A name outside this list is a typo or a new
 * dependency to check by hand.
 */
const KNOWN_ROS_PACKAGES = new Set([
  "ament_cmake",
  "builtin_interfaces",
  "diagnostic_msgs",
  "foxglove_msgs",
  "launch",
  "launch_ros",
  "lifecycle_msgs",
  "rcl",
  "rcl_action",
  "rcl_interfaces",
  "rcl_lifecycle",
  "rcl_logging_interface",
  "rcl_yaml_param_parser",
  "rcpputils",
  "rcutils",
  "rmw",
  "rosgraph_msgs",
  "rosidl_runtime_c",
  "sensor_msgs",
  "std_msgs",
  "vision_msgs",
]);
const ROSDEP_SYSTEM_KEYS = new Set(["nodejs", "npm"]);

const DEPENDENCY_TAGS = ["depend", "build_depend", "exec_depend", "buildtool_depend", "test_depend", "build_export_depend"];

function readRepoFile(...parts: string[]): string {
  return readFileSync(join(REPO_ROOT, ...parts), "utf8");
}

/** Text of every `<tag>value</tag>` element in a package.xml, in order. */
function elements(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`, "g");
  return [...xml.matchAll(pattern)].map((match) => match[1].trim());
}

function python(): string | undefined {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    if (spawnSync(candidate, ["--version"]).status === 0) {
      return candidate;
    }
  }
  return undefined;
}

describe("config/params.yaml", function () {
  const document = parseYaml(readRepoFile("config", "params.yaml"), { intAsBigInt: true }) as Record<string, { ros__parameters: Record<string, unknown> }>;
  const values = document["/**"]?.ros__parameters ?? {};

  it("applies to the node under any name or namespace", function () {
    assert.deepEqual(Object.keys(document), ["/**"]);
  });

  it("lists exactly the declared parameters", function () {
    assert.deepEqual(Object.keys(values).sort(), [...PARAMETER_NAMES].sort());
  });

  for (const name of PARAMETER_NAMES) {
    it(`gives ${name} its declared default and type`, function () {
      const declaration = PARAMETER_DECLARATIONS[name];
      const value = values[name];
      // rcl types a parameter by how the file writes it: 200 is an integer, 200.0 a double.
      const expectedKind = { double: "number", integer: "bigint", bool: "boolean", string: "string" }[declaration.type];
      assert.equal(typeof value, expectedKind, `${name} is written as a ${typeof value}`);
      assert.equal(typeof value === "bigint" ? Number(value) : value, declaration.default);
    });
  }
});

describe("package.xml", function () {
  const xml = readRepoFile("package.xml");
  const dependencies = DEPENDENCY_TAGS.flatMap((tag) => elements(xml, tag));
  const messagesPackage = elements(readRepoFile("ros_pkg", "softskip_msgs", "package.xml"), "name")[0];

  it("is format 3 for softskip_grounding", function () {
    assert.match(xml, /<package format="3">/);
    assert.deepEqual(elements(xml, "name"), [NODE_NAME]);
    assert.deepEqual(elements(xml, "buildtool_depend"), ["ament_cmake"]);
    assert.deepEqual(elements(xml, "build_type"), ["ament_cmake"]);
  });

  it("names only real ROS packages and rosdep keys", function () {
    for (const dependency of dependencies) {
      const known = KNOWN_ROS_PACKAGES.has(dependency) || ROSDEP_SYSTEM_KEYS.has(dependency) || dependency === messagesPackage;
      assert.ok(known, `${dependency} is not a known ROS 2 package or rosdep key`);
    }
    assert.equal(new Set(dependencies).size, dependencies.length, "a dependency is listed twice");
  });

  it("depends on the package of every interface the node uses", function () {
    const runtime = new Set([...elements(xml, "depend"), ...elements(xml, "exec_depend")]);
    const buildTime = new Set([...elements(xml, "depend"), ...elements(xml, "build_depend")]);
    const specs = [IMAGE_TOPIC, COMPRESSED_IMAGE_TOPIC, TRANSCRIPT_TOPIC, RESULT_TOPIC, DETECTIONS_TOPIC, ANNOTATIONS_TOPIC, DEBUG_IMAGE_TOPIC, DIAGNOSTICS_TOPIC, GROUND_SERVICE];
    for (const spec of specs) {
      const packageName = spec.type.split("/")[0];
      assert.ok(runtime.has(packageName), `${packageName} (for ${spec.name}) is not a run-time dependency`);
      assert.ok(buildTime.has(packageName), `${packageName} must be built before rclnodejs generates message classes`);
    }
    for (const needed of ["launch_ros", "lifecycle_msgs", "nodejs"]) {
      assert.ok(runtime.has(needed), `${needed} is not a run-time dependency`);
    }
  });

  it("is well-formed XML", function () {
    const interpreter = python();
    if (interpreter === undefined) {
      this.skip();
    }
    const check = spawnSync(interpreter, ["-c", "import sys, xml.etree.ElementTree as t; t.parse(sys.argv[1])", join(REPO_ROOT, "package.xml")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
  });
});

describe("launch/grounding.launch.py", function () {
  const launchFile = join(REPO_ROOT, "launch", "grounding.launch.py");
  const checker = join(REPO_ROOT, "test", "ros", "launch_check.py");
  let interpreter: string | undefined;

  interface LaunchResult {
    arguments: Record<string, { default: string; description: string }>;
    action: string;
    kwargs: { executable: string; package: string; name: string; arguments?: string[]; parameters: [string, Record<string, unknown>]; remappings: [string, string][] };
    error?: string;
  }

  function launch(launchArguments: Record<string, string>): LaunchResult {
    const run = spawnSync(interpreter as string, [checker, launchFile, JSON.stringify(launchArguments)], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as LaunchResult;
  }

  before(function () {
    interpreter = python();
    if (interpreter === undefined) {
      this.skip();
    }
  });

  it("parses as Python", function () {
    const check = spawnSync(interpreter as string, ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", launchFile], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
  });

  it("declares the documented arguments", function () {
    const result = launch({});
    assert.deepEqual(Object.keys(result.arguments).sort(), [
      "image_topic",
      "latency_budget_ms",
      "params_file",
      "policy",
      "transcript_topic",
      "use_lifecycle",
      "use_sim_time",
    ]);
    for (const [name, argument] of Object.entries(result.arguments)) {
      assert.ok(argument.description.length > 10, `${name} has no description`);
    }
  });

  it("re-declares no parameter default", function () {
    const result = launch({});
    assert.equal(result.arguments.policy.default, "");
    assert.equal(result.arguments.latency_budget_ms.default, "");
    assert.equal(result.arguments.use_sim_time.default, "");
    assert.deepEqual(result.kwargs.parameters[1], {}, "the parameter file decides when no argument is given");
  });

  it("runs the installed executable with installed files", function () {
    const result = launch({});
    assert.equal(result.action, "Node");
    assert.equal(result.kwargs.package, NODE_NAME);
    assert.equal(result.kwargs.name, NODE_NAME);
    assert.equal(result.kwargs.executable, "grounding_node");
    assert.ok(statSync(join(REPO_ROOT, "scripts", "grounding_node")).mode & 0o111, "scripts/grounding_node is not executable");

    const share = `/opt/ros/test/share/${NODE_NAME}/`;
    assert.ok(result.kwargs.parameters[0].startsWith(share), result.kwargs.parameters[0]);
    const installed = result.kwargs.parameters[0].slice(share.length);
    assert.equal(installed, "config/params.yaml");
    assert.ok(existsSync(join(REPO_ROOT, installed)), `${installed} is not in the repository`);
  });

  it("remaps both image names and the transcript", function () {
    const result = launch({ image_topic: "/camera/color/image_raw", transcript_topic: "/speech/text" });
    assert.deepEqual(result.kwargs.remappings, [
      ["image", "/camera/color/image_raw"],
      ["image/compressed", "/camera/color/image_raw/compressed"],
      ["transcript", "/speech/text"],
    ]);
  });

  it("passes overrides typed as the node declares them", function () {
    const result = launch({ policy: "softskip", latency_budget_ms: "300", use_sim_time: "true", params_file: "/robot/params.yaml" });
    assert.equal(result.kwargs.parameters[0], "/robot/params.yaml");
    assert.deepEqual(result.kwargs.parameters[1], { use_sim_time: true, policy: "softskip", latency_budget_ms: 300 });
    assert.match(spawnSync(interpreter as string, [checker, launchFile, JSON.stringify({ latency_budget_ms: "300" })], { encoding: "utf8" }).stdout, /300\.0/);
  });

  it("rejects a use_sim_time that is not a boolean", function () {
    const result = launch({ use_sim_time: "yes" });
    assert.match(result.error ?? "", /use_sim_time:='yes' is not a boolean; pass true or false/);
  });

  it("rejects a budget that is not a number", function () {
    const result = launch({ latency_budget_ms: "fast" });
    assert.match(result.error ?? "", /latency_budget_ms:='fast' is not a number; pass milliseconds/);
  });

  it("starts a lifecycle node on request", function () {
    const result = launch({ use_lifecycle: "true" });
    assert.equal(result.action, "LifecycleNode");
    assert.deepEqual(result.kwargs.arguments, ["--lifecycle"]);
  });
});

/**
 * Writes a stand-in for ament_cmake under `work`, because the real one needs a ROS install:
 * it only has to define ament_package(). Returns its folder, for -Dament_cmake_DIR.
 */
function amentStandIn(work: string): string {
  const folder = join(work, "ament_cmake");
  mkdirSync(folder);
  writeFileSync(join(folder, "ament_cmakeConfig.cmake"), "macro(ament_package)\nendmacro()\n");
  return folder;
}

describe("package.json install scripts", function () {
  const manifest = JSON.parse(readRepoFile("package.json")) as { allowScripts?: Record<string, boolean> };

  it("denies onnxruntime-node's CUDA download, so npm ci stays on the registry", function () {
    assert.equal(manifest.allowScripts?.["onnxruntime-node"], false);
    assert.match(readRepoFile(".npmrc"), /^onnxruntime-node-install=skip$/m);
  });

  it("allows rclnodejs to build its bindings, which npm 12 would otherwise block", function () {
    assert.equal(manifest.allowScripts?.rclnodejs, true);
  });
});

describe("CMakeLists.txt", function () {
  const cmake = readRepoFile("CMakeLists.txt");

  it("installs paths that exist in the repository", function () {
    assert.match(cmake, /project\(softskip_grounding\)/);
    const directories = [...cmake.matchAll(/install\(DIRECTORY ((?:[\w/-]+ )+)DESTINATION/g)]
      .flatMap((match) => match[1].trim().split(/\s+/))
      .filter((path) => !path.includes("$"));
    assert.deepEqual(directories.sort(), ["config", "launch", "models/lgmdp-tabletop"]);
    for (const path of ["config", "launch", "scripts/grounding_node", "package.json", "package-lock.json", "tsconfig.json", ".npmrc"]) {
      assert.ok(existsSync(join(REPO_ROOT, path)), `${path} is missing`);
    }
    assert.match(cmake, /install\(PROGRAMS scripts\/grounding_node DESTINATION lib\/\$\{PROJECT_NAME\}\)/);
  });

  it("copies every script the npm build runs into its build copy", function () {
    const scripts = JSON.parse(readRepoFile("package.json")) as { scripts: Record<string, string> };
    const used = [...`${scripts.scripts.build} ${scripts.scripts.prepare}`.matchAll(/node (scripts\/[\w.-]+)/g)].map((match) => match[1]);
    assert.ok(used.length > 0);
    for (const script of used) {
      assert.match(cmake, new RegExp(`set\\(SOFTSKIP_BUILD_SCRIPTS[^)]*\\$\\{CMAKE_CURRENT_SOURCE_DIR\\}/${script.replace(/\./g, "\\.")}`), `${script} is not copied`);
    }
  });

  it("configures and plans the install layout", function () {
    if (spawnSync("cmake", ["--version"]).status !== 0 || !existsSync(join(REPO_ROOT, "dist", "src", "cli", "main.js"))) {
      this.skip();
    }
    const work = mkdtempSync(join(tmpdir(), "softskip-cmake-"));
    try {
      const stub = amentStandIn(work);
      const build = join(work, "build");
      const configure = spawnSync(
        "cmake",
        ["-S", REPO_ROOT, "-B", build, `-Dament_cmake_DIR=${stub}`, "-DSOFTSKIP_USE_PREBUILT=ON", `-DCMAKE_INSTALL_PREFIX=${join(work, "install")}`],
        { encoding: "utf8" },
      );
      assert.equal(configure.status, 0, configure.stderr);
      const plan = readFileSync(join(build, "cmake_install.cmake"), "utf8");
      const installs = [...plan.matchAll(/file\(INSTALL DESTINATION "\$\{CMAKE_INSTALL_PREFIX\}\/([^"]+)" TYPE (\w+) FILES([^)]*)\)/g)].flatMap(
        (match) => [...match[3].matchAll(/"([^"]+)"/g)].map((file) => `${match[1]} <- ${file[1].slice(REPO_ROOT.length + 1)}`),
      );
      assert.deepEqual(installs.sort(), [
        "lib/softskip_grounding <- scripts/grounding_node",
        "share/softskip_grounding <- config",
        "share/softskip_grounding <- launch",
        ...(existsSync(join(REPO_ROOT, "models", "lgmdp-tabletop", "manifest.json")) ? ["share/softskip_grounding/models <- models/lgmdp-tabletop"] : []),
        "share/softskip_grounding <- node_modules",
        "share/softskip_grounding <- package.json",
        "share/softskip_grounding/dist <- dist/src",
      ].sort());
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("runs npm in its build copy and reruns it when softskip_msgs changes", function () {
    if (spawnSync("cmake", ["--version"]).status !== 0 || spawnSync("npm", ["--version"]).status !== 0) {
      this.skip();
    }
    // Only configure runs, so npm does not; softskip_msgs is a stand-in for an installed one.
    const work = mkdtempSync(join(tmpdir(), "softskip-cmake-npm-"));
    try {
      const ament = amentStandIn(work);
      const msgsShare = join(work, "share", "softskip_msgs");
      mkdirSync(join(msgsShare, "cmake"), { recursive: true });
      mkdirSync(join(msgsShare, "msg"));
      writeFileSync(join(msgsShare, "cmake", "softskip_msgsConfig.cmake"), "");
      writeFileSync(join(msgsShare, "msg", "GroundingResult.msg"), "uint8 status\n");
      const build = join(work, "build");
      const configure = spawnSync(
        "cmake",
        ["-S", REPO_ROOT, "-B", build, "-G", "Unix Makefiles", `-Dament_cmake_DIR=${ament}`, `-Dsoftskip_msgs_DIR=${join(msgsShare, "cmake")}`],
        { encoding: "utf8" },
      );
      assert.equal(configure.status, 0, configure.stderr);
      const rules = readFileSync(join(build, "CMakeFiles", "softskip_npm.dir", "build.make"), "utf8");
      const npmRoot = join(build, "npm");
      const npmCommands = rules.split("\n").filter((line) => / ci --no-audit| prune --omit=dev|require\('rclnodejs'\)/.test(line));
      assert.equal(npmCommands.length, 3, rules);
      for (const line of npmCommands) {
        assert.ok(line.trim().startsWith(`cd ${npmRoot} && `), `runs outside ${npmRoot}: ${line.trim()}`);
      }
      assert.match(rules, /main\.js: \S*softskip_msgs\/msg\/GroundingResult\.msg/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("README Run on a robot", function () {
  const readme = readRepoFile("README.md");
  const section = readme.slice(readme.indexOf("## Run on a robot"));

  it("walks from a sourced ROS 2 to a grounded box", function () {
    assert.ok(readme.includes("## Run on a robot"), "no Run on a robot section");
    for (const step of [
      "colcon build",
      "ros2 launch softskip_grounding grounding.launch.py",
      `ros2 topic pub --once /transcript std_msgs/msg/String "{data: 'pick up the red mug'}"`,
      "ros2 topic echo /softskip_grounding/result",
      "/softskip_grounding/annotations",
      "ros2 lifecycle set",
    ]) {
      assert.ok(section.includes(step), `the section lacks ${step}`);
    }
  });
});
