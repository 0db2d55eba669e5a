import assert from "node:assert/strict";

import { nounList } from "../../src/runtime/object-nouns";
import { resolveSpokenExpression } from "../../src/runtime/one-anaphora";
import { singularNouns } from "../../src/runtime/plural-nouns";

const NOUNS = nounList(["mug", "soda can", "can", "box", "dish", "glass", "knife", "battery", "apple", "bowl"]);

describe("runtime/plural-nouns", () => {
  const cases: Array<[string, string | null]> = [
    ["the apples", "the apple"],
    ["one of the red apples", "the red apple"],
    ["any of those mugs", "the mug"],
    ["the blue soda cans", "the blue soda can"],
    ["the boxes", "the box"],
    ["the dishes left of the bowls", "the dish left of the bowl"],
    ["the glasses", "the glass"],
    ["the knives", "the knife"],
    ["the batteries", "the battery"],
    // Nothing plural, or a plural the nouns do not know.
    ["the red mug", null],
    ["the glass", null],
    ["the cups", null],
    ["one of the", null],
  ];
  for (const [expression, expected] of cases) {
    it(`reads ${JSON.stringify(expression)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(singularNouns(expression, NOUNS), expected);
    });
  }

  it("makes the rejected phrase singular before taking its noun", () => {
    assert.equal(resolveSpokenExpression("the orange one", "the red mugs", ["mug", "bowl"]), "the orange mug");
    assert.equal(resolveSpokenExpression("one of the bowls", undefined, ["mug", "bowl"]), "the bowl");
  });
});
