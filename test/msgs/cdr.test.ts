import { strict as assert } from "node:assert";

import fc from "fast-check";

import { ArgumentError, InputError } from "../../src/errors";
import type { GroundingResult, Image, StringMessage } from "../../src/msgs";
import { builtinDefinitions, deserializeMessage, parseMessageDefinition, serializeMessage } from "../../src/msgs";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { readMcapMessages, realBagFile } from "./mcapFixture";
import * as samples from "./samples";
import { errorMatching } from "./errorMatchers";

/** Writer output for typed arrays of numbers comes back as typed arrays; compare as plain arrays. */
function plain(value: unknown): unknown {
  if (value instanceof Float64Array || value instanceof Float32Array) {
    return Array.from(value);
  }
  if (Array.isArray(value)) {
    return value.map(plain);
  }
  if (value instanceof Uint8Array) {
    return value;
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

function roundTrip<T>(typeName: string, value: T): T {
  return deserializeMessage<T>(typeName, serializeMessage(typeName, value));
}

const ROUND_TRIPS: Array<[string, unknown]> = [
  ["std_msgs/msg/Header", samples.header],
  ["sensor_msgs/msg/Image", samples.image],
  ["sensor_msgs/msg/CompressedImage", samples.compressedImage],
  ["std_msgs/msg/String", samples.stringMessage],
  ["softskip_msgs/msg/GroundingResult", samples.groundingResult],
  ["vision_msgs/msg/Detection2DArray", samples.detections],
  ["diagnostic_msgs/msg/DiagnosticArray", samples.diagnostics],
  ["foxglove_msgs/msg/ImageAnnotations", samples.annotations],
  ["rosgraph_msgs/msg/Clock", samples.clock],
  ["softskip_msgs/srv/Ground_Request", samples.groundRequest],
  ["softskip_msgs/srv/Ground_Response", samples.groundResponse],
];

describe("msgs/serializeMessage round trip", () => {
  for (const [typeName, value] of ROUND_TRIPS) {
    it(`keeps ${typeName}`, () => {
      assert.deepEqual(plain(roundTrip(typeName, value)), plain(value));
    });
  }

  it("writes the CDR little-endian encapsulation header", () => {
    const bytes = serializeMessage("std_msgs/String", samples.stringMessage);
    assert.deepEqual(Array.from(bytes.subarray(0, 4)), [0, 1, 0, 0]);
  });

  it("accepts short type names", () => {
    assert.deepEqual(
      serializeMessage("sensor_msgs/Image", samples.image),
      serializeMessage("sensor_msgs/msg/Image", samples.image),
    );
  });
});

describe("msgs/serializeMessage properties", () => {
  const time = fc.record({ sec: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), nanosec: fc.nat(999_999_999) });
  const header = fc.record({ stamp: time, frame_id: fc.string() });
  const float32 = fc.float({ noNaN: true }).map(Math.fround);

  it("keeps any Image", () => {
    const imageArbitrary: fc.Arbitrary<Image> = fc.record({
      header,
      height: fc.nat(2 ** 32 - 1),
      width: fc.nat(2 ** 32 - 1),
      encoding: fc.string(),
      is_bigendian: fc.integer({ min: 0, max: 1 }),
      step: fc.nat(2 ** 32 - 1),
      data: fc.uint8Array({ maxLength: 512 }),
    });
    fc.assert(
      fc.property(imageArbitrary, (image) => {
        assert.deepEqual(plain(roundTrip("sensor_msgs/msg/Image", image)), plain(image));
      }),
    );
  });

  it("keeps any String", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii" }), (data) => {
        assert.deepEqual(plain(roundTrip<StringMessage>("std_msgs/msg/String", { data })), { data });
      }),
    );
  });

  it("keeps any GroundingResult", () => {
    const finite64 = fc.double({ noNaN: true, noDefaultInfinity: true });
    const resultArbitrary: fc.Arbitrary<GroundingResult> = fc.record({
      header,
      transcript: fc.string({ unit: "binary-ascii" }),
      expression: fc.string(),
      status: fc.integer({ min: 0, max: 3 }),
      bbox: fc.record({
        center: fc.record({ position: fc.record({ x: finite64, y: finite64 }), theta: finite64 }),
        size_x: finite64,
        size_y: finite64,
      }),
      score: float32,
      executed_blocks: fc.array(fc.string(), { maxLength: 20 }),
      compute_ratio: float32,
      latency_ms: float32,
      budget_ms: float32,
      policy: fc.constantFrom("full", "lgmdp", "softskip", "budget", "static"),
      command_id: fc.nat(2 ** 32 - 1),
    });
    fc.assert(
      fc.property(resultArbitrary, (result) => {
        assert.deepEqual(plain(roundTrip("softskip_msgs/msg/GroundingResult", result)), plain(result));
      }),
    );
  });

  it("rounds float32 fields of GroundingResult", () => {
    const decoded = roundTrip("softskip_msgs/msg/GroundingResult", { ...samples.groundingResult, score: 0.1 });
    assert.equal(decoded.score, Math.fround(0.1));
  });
});

describe("msgs/serializeMessage errors", () => {
  it("rejects types without definitions", () => {
    assert.throws(
      () => serializeMessage("nosuch_msgs/msg/Thing", {}),
      errorMatching(ArgumentError, "nosuch_msgs/msg/Thing"),
    );
  });

  it("rejects values of the wrong shape naming the type", () => {
    assert.throws(
      () => serializeMessage("std_msgs/msg/Header", { stamp: 5, frame_id: "x" }),
      errorMatching(ArgumentError, "std_msgs/msg/Header"),
    );
  });

  it("rejects missing fields naming the path", () => {
    const withoutStep: Partial<typeof samples.image> = { ...samples.image };
    delete withoutStep.step;
    assert.throws(
      () => serializeMessage("sensor_msgs/msg/Image", withoutStep),
      errorMatching(ArgumentError, 'field "step" must be present'),
    );
  });

  it("rejects integers out of range", () => {
    assert.throws(
      () => serializeMessage("softskip_msgs/msg/GroundingResult", { ...samples.groundingResult, status: 256 }),
      errorMatching(ArgumentError, /field "status" must be an integer in 0\.\.255/),
    );
    assert.throws(
      () => serializeMessage("sensor_msgs/msg/Image", { ...samples.image, width: 1.5 }),
      errorMatching(ArgumentError, '"width"'),
    );
  });

  it("rejects BigInt in 32-bit fields", () => {
    // rclnodejs 2.x returns clock times as BigInt; they must be converted at the boundary.
    const header = { stamp: { sec: 5n, nanosec: 0 }, frame_id: "" };
    assert.throws(
      () => serializeMessage("std_msgs/msg/Header", header),
      errorMatching(ArgumentError, '"stamp.sec"', "5n"),
    );
  });

  it("rejects array items of the wrong type", () => {
    assert.throws(
      () => serializeMessage("softskip_msgs/msg/GroundingResult", { ...samples.groundingResult, executed_blocks: ["a", 3] }),
      errorMatching(ArgumentError, '"executed_blocks[1]"'),
    );
  });

  it("rejects fixed arrays of the wrong length", () => {
    const detections = structuredClone(samples.detections);
    detections.detections[0].results[0].pose.covariance = [1, 2, 3];
    assert.throws(
      () => serializeMessage("vision_msgs/msg/Detection2DArray", detections),
      errorMatching(ArgumentError, "exactly 36 items"),
    );
  });

  it("rejects non-ASCII strings", () => {
    assert.throws(
      () => serializeMessage("std_msgs/msg/String", { data: "grab the caf\u00e9 mug" }),
      errorMatching(ArgumentError, "non-ASCII", '"data"'),
    );
  });

  it("reads non-ASCII strings", () => {
    const utf8 = Buffer.from("caf\u00e9 \u2019ok\u2019", "utf8");
    const bytes = Buffer.alloc(8 + utf8.length + 1);
    bytes.set([0, 1, 0, 0]);
    bytes.writeUInt32LE(utf8.length + 1, 4);
    utf8.copy(bytes, 8);
    assert.deepEqual(deserializeMessage("std_msgs/msg/String", bytes), { data: "caf\u00e9 \u2019ok\u2019" });
  });

  it("rejects truncated bytes naming type and source", () => {
    const bytes = serializeMessage("sensor_msgs/msg/Image", samples.image);
    assert.throws(
      () => deserializeMessage("sensor_msgs/msg/Image", bytes.subarray(0, 30), "/camera/image_raw"),
      (error: unknown) => {
        errorMatching(InputError, "sensor_msgs/msg/Image")(error);
        assert.equal((error as InputError).source, "/camera/image_raw");
        assert.equal((error as InputError).reason, "corrupt_cdr");
        return true;
      },
    );
  });
});

describe("msgs builtin definitions against real bags", () => {
  /** Bags whose messages carry rosbag2-written schemas for the types we define ourselves. */
  const files = ["rosbags-rs_test_bag_mcap/test_bag_mcap.mcap", "repro/repro_rgb8_vs_bgr8.mcap", "repro/repro_compressed_formats.mcap"];
  const covered = new Set(["sensor_msgs/msg/Image", "sensor_msgs/msg/CompressedImage", "sensor_msgs/msg/CameraInfo", "std_msgs/msg/Header", "std_msgs/msg/String"]);

  for (const relative of files) {
    it(`decode and re-encode ${relative} byte for byte`, async function () {
      const file = realBagFile(relative);
      if (file === undefined) {
        this.skip();
      }
      let checked = 0;
      for (const message of await readMcapMessages(file)) {
        if (!covered.has(message.schemaName)) {
          continue;
        }
        const embedded = new MessageReader(parseMessageDefinition(message.schemaText, "ros2msg", message.schemaName));
        const expected = embedded.readMessage(message.data);
        const decoded = deserializeMessage(message.schemaName, message.data, `${relative} ${message.topic}`);
        assert.deepEqual(plain(decoded), plain(expected), message.topic);
        assert.deepEqual(serializeMessage(message.schemaName, decoded), message.data, message.topic);
        checked += 1;
      }
      assert.ok(checked > 0);
    });
  }

  it("defines Image with the bag's fields", async function () {
    const file = realBagFile("rosbags-rs_test_bag_mcap/test_bag_mcap.mcap");
    if (file === undefined) {
      this.skip();
    }
    const message = (await readMcapMessages(file)).find((candidate) => candidate.schemaName === "sensor_msgs/msg/Image");
    assert.ok(message !== undefined);
    const fromBag = parseMessageDefinition(message.schemaText, "ros2msg", message.schemaName);
    assert.deepEqual(builtinDefinitions("sensor_msgs/msg/Image"), fromBag);
  });
});
