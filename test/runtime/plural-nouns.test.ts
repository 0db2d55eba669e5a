import assert from "node:assert/strict";

import { nounList } from "../../src/runtime/object-nouns";
import { resolveSpokenExpression } from "../../src/runtime/one-anaphora";
import { definiteArticles, severalObjects, singularNouns } from "../../src/runtime/plural-nouns";

const NOUNS = nounList(["mug", "soda can", "can", "box", "dish", "glass", "knife", "battery", "apple", "bowl"]);

describe("runtime/plural-nouns", () => {
  const cases: Array<[string, string | null]> = [
    ["the apples", "the apple"],
    ["one of the red apples", "the red apple"],
    ["any of those mugs", "the mug"],
    ["any one of the mugs", "the mug"],
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

  const several: Array<[string, string | null]> = [
    ["all the bowls", "all the bowls"],
    ["both mugs", "both mugs"],
    ["two of the apples", "two"],
    ["the bowls", "the bowls"],
    ["those blue soda cans", "those blue soda cans"],
    ["every apple", "every apple"],
    ["the ones on the left", "the ones"],
    ["the last two apples", "the last two apples"],
    // One object, possibly among several, or plurals after the head.
    ["one of the apples", null],
    ["any of those mugs", null],
    ["the apple between the bowls", null],
    ["the second of the two bowls", null],
    ["the mug all the way on the left", null],
    ["the glass", null],
  ];
  for (const [expression, expected] of several) {
    it(`finds ${JSON.stringify(expected)} asking for several objects in ${JSON.stringify(expression)}`, () => {
      assert.equal(severalObjects(expression, NOUNS), expected);
    });
  }

  it("makes indefinite articles definite", () => {
    assert.equal(definiteArticles("a bowl"), "the bowl");
    assert.equal(definiteArticles("an apple left of a plate"), "the apple left of the plate");
    assert.equal(definiteArticles("any mug"), "the mug");
    assert.equal(definiteArticles("some apple"), "the apple");
    assert.equal(definiteArticles("the red one"), "the red one");
  });
});
