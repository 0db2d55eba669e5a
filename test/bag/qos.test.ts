import assert from "node:assert/strict";

import { parseQosProfiles } from "../../src/bag";

describe("bag: offered QoS profiles", function () {
  it("parses the numeric string form", function () {
    const text = "- history: 1\n  depth: 5\n  reliability: 2\n  durability: 1\n  deadline:\n    sec: 0\n    nsec: 0";
    assert.deepEqual(parseQosProfiles(text), [{ history: "keep_last", depth: 5, reliability: "best_effort", durability: "transient_local" }]);
  });

  it("parses the Jazzy list form", function () {
    const list = [{ history: "keep_last", depth: 1, reliability: "best_effort", durability: "volatile" }];
    assert.deepEqual(parseQosProfiles(list), list);
  });

  it("returns no profiles for empty values", function () {
    assert.deepEqual(parseQosProfiles(""), []);
    assert.deepEqual(parseQosProfiles(undefined), []);
    assert.deepEqual(parseQosProfiles("~"), []);
  });

  it("maps unknown values to unknown", function () {
    assert.deepEqual(parseQosProfiles([{ history: 9, reliability: "sometimes" }]), [
      { history: "unknown", depth: 0, reliability: "unknown", durability: "unknown" },
    ]);
  });

  it("rejects values that are no list", function () {
    assert.throws(() => parseQosProfiles("reliability: 1"), /offered_qos_profiles must be a list/);
    assert.throws(() => parseQosProfiles("- [unclosed"), /offered_qos_profiles is not valid YAML/);
    assert.throws(() => parseQosProfiles([42]), /offered_qos_profiles\[0\] must be a map but is 42/);
  });
});
