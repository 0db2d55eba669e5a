import assert from "node:assert/strict";

import { headNoun, nounList } from "../../src/runtime/object-nouns";
import { resolveOneAnaphora, resolveSpokenExpression, unexcludedCategory, unfollowableExclusion } from "../../src/runtime/one-anaphora";

const NOUNS = nounList(["mug", "coffee mug", "can", "soda can", "plate", "apple", "bowl"]);

describe("runtime/one-anaphora", () => {
  const cases: Array<[string, string, string | null]> = [
    ["the orange one", "the silver plate", "the orange plate"],
    ["the big one", "the red coffee mug", "the big coffee mug"],
    ["the one left of the bowl", "the mug", "the mug left of the bowl"],
    ["the second one", "the plate in front of the yellow apple", "the second plate"],
    ["the blue ones", "the soda can", "the blue soda can"],
    ["the third one", "the second apple from the left", "the third apple from the left"],
    ["the third one from the right", "the second apple from the left", "the third apple from the right"],
    ["the red one", "the second apple from the left", "the red apple"],
    ["the third", "the second apple from the left", "the third apple from the left"],
    // Nothing to replace.
    ["the blue mug", "the red plate", null],
    ["the apple next to the red one", "the plate", null],
    ["one red apple", "the plate", null],
    ["the one apple", "the plate", null],
    ["the one red apple", "the plate", null],
    ["only one red mug", "the plate", null],
    ["the orange one", "the thing on the left", null],
    // The previous command's head is generic, so its landmark noun is not taken.
    ["the blue one", "the red thing left of the bowl", null],
    ["the blue one", "the biggest object next to the mug", null],
    ["the big one next to the apple", "the left mug", "the big mug next to the apple"],
  ];
  for (const [expression, previous, expected] of cases) {
    it(`reads ${JSON.stringify(expression)} after ${JSON.stringify(previous)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(resolveOneAnaphora(expression, previous, NOUNS), expected);
    });
  }

  it("prefers the longest noun", () => {
    assert.deepEqual(headNoun("the red soda can", NOUNS), ["soda", "can"]);
  });

  it("finds no head before a relation", () => {
    assert.equal(headNoun("the one left of the bowl", NOUNS), undefined);
    assert.equal(headNoun("left of the bowl", NOUNS), undefined);
  });

  it("resolves nothing without nouns", () => {
    assert.equal(resolveOneAnaphora("the orange one", "the silver plate", nounList([])), null);
  });

  it("follows leaving out an object of another kind only", () => {
    const nouns = ["mug", "bowl", "can"];
    assert.equal(unfollowableExclusion("the red can", "the green mug", nouns), null);
    assert.equal(unfollowableExclusion("the red can", undefined, nouns), null);
    assert.match(unfollowableExclusion("the mug", "the blue one", nouns) ?? "", /of the same kind as the object to take/);
    assert.match(unfollowableExclusion("the mug", "the blue mug", nouns) ?? "", /of the same kind as the object to take/);
    assert.match(unfollowableExclusion("the blue one", "the bowl", nouns) ?? "", /names no kind of object to take/);
  });

  it("treats synonyms as one kind", () => {
    const nouns = ["mug", "cup", "bowl"];
    const synonyms = [["cup", "mug"]];
    assert.match(unfollowableExclusion("the cup", "the mug", nouns, synonyms) ?? "", /of the same kind/);
    assert.equal(unfollowableExclusion("the cup", "the bowl", nouns, synonyms), null);
    assert.equal(unexcludedCategory("the cup", "the mug", nouns, synonyms), "mug");
    assert.equal(unexcludedCategory("the blue cup", "the red mug", nouns, synonyms), null);
    assert.equal(unexcludedCategory("the mug on the left", "the red mug", nouns, synonyms), null);
    assert.equal(unexcludedCategory("the cup", "the mug", nouns), null);
  });

  it("reads a correction of bare describing words as its \"one\"", () => {
    assert.equal(resolveSpokenExpression("blue", "red mug", ["mug", "bowl"]), "the blue mug");
    assert.equal(resolveSpokenExpression("the blue", "the red mug", ["mug", "bowl"]), "the blue mug");
    assert.equal(resolveSpokenExpression("the bowl", "the red mug", ["mug", "bowl"]), "the bowl");
  });
});
