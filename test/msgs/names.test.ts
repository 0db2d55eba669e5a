import { strict as assert } from "node:assert";

import { ArgumentError } from "../../src/errors";
import { normalizeTypeName, shortTypeName } from "../../src/msgs";
import { errorMatching } from "./errorMatchers";

describe("msgs/normalizeTypeName", () => {
  const cases: Array<[string, string]> = [
    ["sensor_msgs/Image", "sensor_msgs/msg/Image"],
    ["sensor_msgs/msg/Image", "sensor_msgs/msg/Image"],
    ["softskip_msgs/srv/Ground_Request", "softskip_msgs/srv/Ground_Request"],
    ["example_interfaces/action/Fibonacci_Goal", "example_interfaces/action/Fibonacci_Goal"],
  ];
  for (const [input, expected] of cases) {
    it(`maps ${input}`, () => {
      assert.equal(normalizeTypeName(input), expected);
    });
  }

  const garbage: unknown[] = ["", "Image", "sensor_msgs/", "/Image", "sensor_msgs/foo/Image", "a/b/c/d", "sensor msgs/Image", 42, null];
  for (const input of garbage) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => normalizeTypeName(input as string),
        errorMatching(ArgumentError, "package/msg/Type"),
      );
    });
  }
});

describe("msgs/shortTypeName", () => {
  it("drops msg from message names", () => {
    assert.equal(shortTypeName("std_msgs/msg/Header"), "std_msgs/Header");
    assert.equal(shortTypeName("std_msgs/Header"), "std_msgs/Header");
  });

  it("keeps srv in service halves", () => {
    assert.equal(shortTypeName("softskip_msgs/srv/Ground_Response"), "softskip_msgs/srv/Ground_Response");
  });
});
