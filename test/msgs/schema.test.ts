import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";

import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";

import { ArgumentError } from "../../src/errors";
import {
  builtinDefinitions,
  embeddedTypeNames,
  GROUNDING_STATUS,
  messageDefinitionText,
  parseMessageDefinition,
  serializeMessage,
  stampFromMessage,
} from "../../src/msgs";
import { readMcapMessages, realBagFile, REPO_ROOT } from "./mcapFixture";
import { errorMatching } from "./errorMatchers";

const SEPARATOR = "=".repeat(80);

/** Types that bags without schemas and SoftSkip's own publishers need. */
const REQUIRED_BUILTINS = [
  "sensor_msgs/msg/Image",
  "sensor_msgs/msg/CompressedImage",
  "sensor_msgs/msg/CameraInfo",
  "std_msgs/msg/String",
  "std_msgs/msg/Header",
  "vision_msgs/msg/Detection2DArray",
  "diagnostic_msgs/msg/DiagnosticArray",
  "foxglove_msgs/msg/ImageAnnotations",
  "rosgraph_msgs/msg/Clock",
  "softskip_msgs/msg/GroundingResult",
  "softskip_msgs/srv/Ground_Request",
  "softskip_msgs/srv/Ground_Response",
];

describe("msgs/messageDefinitionText", () => {
  it("writes dependencies as rosbag2 does", () => {
    const text = messageDefinitionText("sensor_msgs/Image");
    const blocks = text.split(`${SEPARATOR}\n`);
    assert.ok(blocks[0].startsWith("std_msgs/Header header\nuint32 height\n"));
    assert.equal(blocks[1], "MSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n");
    assert.equal(blocks[2], "MSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n");
    assert.equal(blocks.length, 3);
  });

  it("lists each dependency once", () => {
    const text = messageDefinitionText("foxglove_msgs/msg/ImageAnnotations");
    const headers = text.split("\n").filter((line) => line.startsWith("MSG: "));
    assert.deepEqual(headers, [...new Set(headers)]);
    assert.ok(headers.includes("MSG: foxglove_msgs/Color"));
    assert.ok(headers.includes("MSG: builtin_interfaces/Time"));
  });

  it("parses back for every embedded type", () => {
    for (const typeName of embeddedTypeNames()) {
      const definitions = parse(messageDefinitionText(typeName), { ros2: true });
      assert.ok(definitions.length >= 1, typeName);
    }
  });

  it("rejects unknown types naming them", () => {
    assert.throws(
      () => messageDefinitionText("nav_msgs/msg/Odometry"),
      errorMatching(ArgumentError, "nav_msgs/msg/Odometry"),
    );
  });
});

describe("msgs/builtinDefinitions", () => {
  for (const typeName of REQUIRED_BUILTINS) {
    it(`covers ${typeName}`, () => {
      const definitions = builtinDefinitions(typeName);
      assert.ok(definitions !== undefined);
      assert.ok(definitions[0].definitions.length > 0);
      for (const definition of definitions) {
        for (const field of definition.definitions) {
          if (field.isComplex === true) {
            assert.ok(
              definitions.some((candidate) => candidate.name === field.type),
              `${typeName}: ${field.type} is not defined`,
            );
          }
        }
      }
    });
  }

  it("accepts short and full names", () => {
    assert.deepEqual(builtinDefinitions("sensor_msgs/Image"), builtinDefinitions("sensor_msgs/msg/Image"));
  });

  it("falls back to common definitions", () => {
    const definitions = builtinDefinitions("geometry_msgs/msg/PoseStamped");
    assert.ok(definitions !== undefined);
    assert.equal(definitions[0].name, "geometry_msgs/PoseStamped");
  });

  it("returns undefined for unknown types", () => {
    assert.equal(builtinDefinitions("nosuch_msgs/msg/Thing"), undefined);
  });

  it("returns copies callers may modify", () => {
    const first = builtinDefinitions("std_msgs/msg/String");
    assert.ok(first !== undefined);
    first[0].definitions.length = 0;
    assert.equal(builtinDefinitions("std_msgs/msg/String")?.[0].definitions.length, 1);
  });

  it("throws for garbage names", () => {
    assert.throws(() => builtinDefinitions("not a type"), ArgumentError);
  });
});

describe("msgs/parseMessageDefinition", () => {
  it("resolves msg-qualified dependency names", () => {
    const text = messageDefinitionText("sensor_msgs/Image")
      .replace("MSG: std_msgs/Header", "MSG: std_msgs/msg/Header")
      .replace("MSG: builtin_interfaces/Time", "MSG: builtin_interfaces/msg/Time");
    assert.throws(() => parse(text, { ros2: true }), /Expected 1 top level type definition/);

    const definitions = parseMessageDefinition(text, "ros2msg", "sensor_msgs/msg/Image");
    assert.equal(definitions[0].name, "sensor_msgs/Image");
    assert.ok(definitions.some((definition) => definition.name === "std_msgs/Header"));
  });

  it("resolves msg-qualified field types", () => {
    const text = "std_msgs/msg/Header header\nstring[] names\n" + `${SEPARATOR}\nMSG: std_msgs/msg/Header\nbuiltin_interfaces/msg/Time stamp\nstring frame_id\n`;
    const definitions = parseMessageDefinition(text, "ros2msg");
    assert.equal(definitions[0].definitions[0].type, "std_msgs/Header");
  });

  it("parses an empty schema as a message without fields", () => {
    const definitions = parseMessageDefinition("", "ros2msg", "std_msgs/msg/Empty");
    assert.equal(definitions.length, 1);
    assert.deepEqual(definitions[0].definitions, []);
  });

  it("parses ros2idl with nsec for Time", () => {
    const idl = [
      "module sensor_msgs { module msg { struct Image { std_msgs::msg::Header header; uint32 height; }; }; };",
      SEPARATOR,
      "IDL: std_msgs/msg/Header",
      "module std_msgs { module msg { struct Header { builtin_interfaces::msg::Time stamp; string frame_id; }; }; };",
      SEPARATOR,
      "IDL: builtin_interfaces/msg/Time",
      "module builtin_interfaces { module msg { struct Time { int32 sec; uint32 nanosec; }; }; };",
      "",
    ].join("\n");
    const definitions = parseMessageDefinition(idl, "ros2idl", "sensor_msgs/Image");
    const bytes = serializeMessage("sensor_msgs/msg/Image", {
      header: { stamp: { sec: 3, nanosec: 4 }, frame_id: "cam" },
      height: 7,
      width: 0,
      encoding: "",
      is_bigendian: 0,
      step: 0,
      data: new Uint8Array(),
    });
    const decoded = new MessageReader(definitions).readMessage<{ header: { stamp: unknown }; height: number }>(bytes);
    assert.deepEqual(decoded.header.stamp, { sec: 3, nsec: 4 });
    assert.deepEqual(stampFromMessage(decoded.header.stamp), { sec: 3, nanosec: 4 });
    assert.equal(decoded.height, 7);
  });

  it("keeps ros2idl constant modules before the root", () => {
    const idl = [
      "module sensor_msgs { module msg { module Image_Constants { const uint8 LIMIT = 3; }; struct Image { uint32 height; }; }; };",
      "",
    ].join("\n");
    const definitions = parseMessageDefinition(idl, "ros2idl", "sensor_msgs/msg/Image");
    const root = definitions.find((definition) => definition.name === "sensor_msgs/msg/Image");
    assert.ok(root !== undefined);
    // CDR little-endian encapsulation header, then height = 7.
    const bytes = Uint8Array.from([0, 1, 0, 0, 7, 0, 0, 0]);
    const decoded = new MessageReader(definitions).readMessage<{ height: number }>(bytes);
    assert.equal(decoded.height, 7);
  });

  it("wraps parser errors naming the type", () => {
    assert.throws(
      () => parseMessageDefinition("this is not a field line ???", "ros2msg", "sensor_msgs/Image"),
      errorMatching(ArgumentError, "sensor_msgs/msg/Image"),
    );
  });

  it("rejects unknown encodings", () => {
    assert.throws(
      () => parseMessageDefinition("", "ros1msg" as "ros2msg"),
      errorMatching(ArgumentError, '"ros1msg"'),
    );
  });

  it("matches a rosbag2 Image schema", async function () {
    // Written by the rosbag2 MCAP plugin, with the .msg comments and the short type name.
    const file = realBagFile("amber_soccer_goal_split/soccer_goal_12.mcap");
    if (file === undefined) {
      this.skip();
    }
    const message = (await readMcapMessages(file))[0];
    assert.equal(message.schemaName, "sensor_msgs/Image");
    const fromBag = parseMessageDefinition(message.schemaText, "ros2msg", message.schemaName);
    assert.deepEqual(fromBag, builtinDefinitions("sensor_msgs/msg/Image"));

    const headers = (text: string): string[] => text.split("\n").filter((line) => line.startsWith("MSG: ") || line === SEPARATOR);
    assert.deepEqual(headers(messageDefinitionText("sensor_msgs/Image")), headers(message.schemaText));
  });

  it("decodes the qualified-dependency reproducer bag", async function () {
    const file = realBagFile("repro/repro_msg_qualified_deps.mcap");
    if (file === undefined) {
      this.skip();
    }
    const messages = await readMcapMessages(file);
    assert.ok(messages.length > 0);
    const first = messages[0];
    assert.match(first.schemaText, /MSG: std_msgs\/msg\/Header/);
    const definitions = parseMessageDefinition(first.schemaText, "ros2msg", first.schemaName);
    const image = new MessageReader(definitions).readMessage<{ width: number; height: number; encoding: string }>(first.data);
    assert.ok(image.width > 0);
    assert.ok(image.height > 0);
    assert.ok(image.encoding.length > 0);
  });
});

describe("softskip_msgs interface package", () => {
  const packageDir = path.join(REPO_ROOT, "ros_pkg/softskip_msgs");

  /** Field and constant lines of a .msg text, comments and blank lines removed. */
  function fieldLines(text: string): string[] {
    return text
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim().replace(/\s+/g, " "))
      .filter((line) => line !== "");
  }

  it("matches the embedded GroundingResult", () => {
    const fromPackage = readFileSync(path.join(packageDir, "msg/GroundingResult.msg"), "utf8");
    assert.deepEqual(fieldLines(fromPackage), fieldLines(messageDefinitionText("softskip_msgs/msg/GroundingResult").split(SEPARATOR)[0]));
  });

  it("matches the embedded Ground service", () => {
    const [request, response] = readFileSync(path.join(packageDir, "srv/Ground.srv"), "utf8").split(/^---$/m);
    assert.deepEqual(fieldLines(request), fieldLines(messageDefinitionText("softskip_msgs/srv/Ground_Request").split(SEPARATOR)[0]));
    assert.deepEqual(fieldLines(response), fieldLines(messageDefinitionText("softskip_msgs/srv/Ground_Response").split(SEPARATOR)[0]));
  });

  it("parses the package files like the embedded texts", () => {
    const options = { ros2: true, skipTypeFixup: true };
    const result = readFileSync(path.join(packageDir, "msg/GroundingResult.msg"), "utf8");
    const embeddedResult = messageDefinitionText("softskip_msgs/msg/GroundingResult").split(SEPARATOR)[0];
    assert.deepEqual(parse(result, options), parse(embeddedResult, options));

    const [request, response] = readFileSync(path.join(packageDir, "srv/Ground.srv"), "utf8").split(/^---$/m);
    const embeddedRequest = messageDefinitionText("softskip_msgs/srv/Ground_Request").split(SEPARATOR)[0];
    const embeddedResponse = messageDefinitionText("softskip_msgs/srv/Ground_Response").split(SEPARATOR)[0];
    assert.deepEqual(parse(request, options), parse(embeddedRequest, options));
    assert.deepEqual(parse(response, options), parse(embeddedResponse, options));
  });

  it("defines the GROUNDING_STATUS values", () => {
    const constants = parse(readFileSync(path.join(packageDir, "msg/GroundingResult.msg"), "utf8"), { ros2: true, skipTypeFixup: true })[0]
      .definitions.filter((field) => field.isConstant === true)
      .map((field) => [field.name.replace(/^STATUS_/, ""), field.value]);
    assert.deepEqual(Object.fromEntries(constants), GROUNDING_STATUS);
  });

  it("declares the interface package dependencies", () => {
    const manifest = readFileSync(path.join(packageDir, "package.xml"), "utf8");
    for (const fragment of [
      '<package format="3">',
      "<buildtool_depend>ament_cmake</buildtool_depend>",
      "<build_depend>rosidl_default_generators</build_depend>",
      "<exec_depend>rosidl_default_runtime</exec_depend>",
      "<member_of_group>rosidl_interface_packages</member_of_group>",
      "<depend>std_msgs</depend>",
      "<depend>sensor_msgs</depend>",
      "<depend>vision_msgs</depend>",
    ]) {
      assert.ok(manifest.includes(fragment), fragment);
    }
    const cmake = readFileSync(path.join(packageDir, "CMakeLists.txt"), "utf8");
    assert.match(cmake, /rosidl_generate_interfaces\(\$\{PROJECT_NAME\}[\s\S]*"msg\/GroundingResult.msg"[\s\S]*"srv\/Ground.srv"/);
  });
});
