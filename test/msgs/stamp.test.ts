import { strict as assert } from "node:assert";

import fc from "fast-check";

import { ArgumentError } from "../../src/errors";
import { stampFromMessage, timeFromMs, timeToMs } from "../../src/msgs";
import { errorMatching } from "./errorMatchers";

describe("msgs/stampFromMessage", () => {
  it("reads sec and nanosec", () => {
    assert.deepEqual(stampFromMessage({ sec: 12, nanosec: 345 }), { sec: 12, nanosec: 345 });
  });

  it("reads sec and nsec from ros2idl schemas", () => {
    assert.deepEqual(stampFromMessage({ sec: 12, nsec: 345 }), { sec: 12, nanosec: 345 });
  });

  it("reads BigInt fields", () => {
    assert.deepEqual(stampFromMessage({ sec: 5n, nanosec: 7n }), { sec: 5, nanosec: 7 });
  });

  it("carries nanosec of whole seconds into sec", () => {
    // Stamps of this shape occur in a real Foxy-era rosbag2 file: sec 0, nanosec 1e9 and 2e9.
    assert.deepEqual(stampFromMessage({ sec: 0, nanosec: 1_000_000_000 }), { sec: 1, nanosec: 0 });
    assert.deepEqual(stampFromMessage({ sec: 0, nanosec: 2_000_000_000 }), { sec: 2, nanosec: 0 });
    assert.deepEqual(stampFromMessage({ sec: 3, nanosec: 4_294_967_295 }), { sec: 7, nanosec: 294_967_295 });
  });

  it("keeps nanosec in range for any input", () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.nat(4_294_967_295), (sec, nanosec) => {
        const stamp = stampFromMessage({ sec, nanosec });
        assert.ok(stamp.nanosec >= 0, `nanosec ${stamp.nanosec}`);
        assert.ok(stamp.nanosec < 1e9, `nanosec ${stamp.nanosec}`);
        assert.equal(stamp.sec * 1e9 + stamp.nanosec, sec * 1e9 + nanosec);
      }),
    );
  });

  it("rejects missing fields", () => {
    assert.throws(() => stampFromMessage({ sec: 1 }), errorMatching(ArgumentError, /nanosec/));
    assert.throws(() => stampFromMessage(null), ArgumentError);
  });

  it("rejects non-finite values", () => {
    assert.throws(
      () => stampFromMessage({ sec: Number.NaN, nanosec: 0 }),
      errorMatching(ArgumentError, '"sec"'),
    );
    assert.throws(
      () => stampFromMessage({ sec: 0, nanosec: "5" }),
      errorMatching(ArgumentError, '"nanosec"'),
    );
  });
});

describe("msgs/timeFromMs", () => {
  it("round-trips through timeToMs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (ms) => {
        const time = timeFromMs(ms);
        assert.ok(time.nanosec >= 0, `nanosec ${time.nanosec}`);
        assert.ok(time.nanosec < 1e9, `nanosec ${time.nanosec}`);
        assert.equal(timeToMs(time), ms);
      }),
    );
  });

  it("rejects NaN", () => {
    assert.throws(() => timeFromMs(Number.NaN), errorMatching(ArgumentError, "NaN"));
  });
});
