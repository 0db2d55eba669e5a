import { strict as assert } from "node:assert";

import { isHeadOutputShape } from "../../src/runtime/head-output";

describe("runtime/isHeadOutputShape", () => {
  const featureMap = [1, 64, 8, 8];

  it("accepts whole anchors per cell", () => {
    assert.equal(isHeadOutputShape([1, 192, 5], featureMap), true);
  });

  it("rejects a transposed head", () => {
    assert.equal(isHeadOutputShape([1, 5, 192], featureMap), false);
  });

  it("rejects a transposed head with 5 anchors", () => {
    // [1, 5, 5] has the right rank and last size, but 5 rows cannot cover 64 cells.
    assert.equal(isHeadOutputShape([1, 5, 5], featureMap), false);
  });

  it("rejects a wrong rank or batch", () => {
    assert.equal(isHeadOutputShape([192, 5], featureMap), false);
    assert.equal(isHeadOutputShape([2, 192, 5], featureMap), false);
  });

  it("checks only the shape without an input map", () => {
    assert.equal(isHeadOutputShape([1, 7, 5], undefined), true);
  });
});
