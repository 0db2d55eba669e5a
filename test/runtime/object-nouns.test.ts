import assert from "node:assert/strict";

import { checkGroundable, namesObject, nounList } from "../../src/runtime/object-nouns";

const OBJECT_NOUNS = ["mug", "soda can", "bowl", "apple"];
const NOUNS = nounList(OBJECT_NOUNS);

describe("runtime/object-nouns", () => {
  const named = [
    "the red mug",
    "the blue soda can",
    "the one left of the bowl",
    "the red thing",
    "the third from the left",
    "the biggest",
    "the leftmost",
    "the red apple and the bowl",
  ];
  for (const expression of named) {
    it(`finds an object in ${JSON.stringify(expression)}`, () => {
      assert.equal(namesObject(expression, NOUNS, []), true);
    });
  }

  const unnamed = ["the knife", "that's enough", "a moment", "the laptop on the left", "the knife next to the mug", "the red"];
  for (const expression of unnamed) {
    it(`finds no object in ${JSON.stringify(expression)}`, () => {
      assert.equal(namesObject(expression, NOUNS, []), false);
    });
  }

  it("counts only superlatives the vocabulary has", () => {
    assert.equal(namesObject("the chest", NOUNS, ["chest"]), false);
  });

  it("names the reason an expression cannot be grounded", () => {
    assert.deepEqual(checkGroundable("xyzzy", ["xyzzy"], OBJECT_NOUNS), { reason: "no_known_words", explanation: "has no word the model knows" });
    assert.equal(checkGroundable("the knife", [], OBJECT_NOUNS)?.reason, "no_known_object");
    assert.match(checkGroundable("the knife", [], OBJECT_NOUNS)?.explanation ?? "", /names no object the model knows \(mug, soda can, bowl, apple, or "the red one"\)/);
    assert.equal(checkGroundable("the red mug", [], OBJECT_NOUNS), null);
  });

  const guesses: Array<[string, string]> = [
    ["the apel", '"apel" may be "apple"'],
    ["the mud next to the bowl", '"mud" may be "mug"'],
    ["the bole", '"bole" may be "bowl"'],
  ];
  for (const [expression, guess] of guesses) {
    it(`guesses the noun in ${JSON.stringify(expression)}`, () => {
      assert.ok(checkGroundable(expression, [], OBJECT_NOUNS)?.explanation.endsWith(`"the red one"; ${guess})`));
    });
  }

  it("guesses nothing far from every noun", () => {
    assert.ok(checkGroundable("the knife", [], OBJECT_NOUNS)?.explanation.endsWith('"the red one")'));
    assert.ok(checkGroundable("the bole", [], [...OBJECT_NOUNS, "ball", "book", "box"])?.explanation.endsWith('"the red one")'));
  });

  it("rejects two nouns in the head", () => {
    assert.equal(checkGroundable("the mug and bowl", [], OBJECT_NOUNS)?.reason, "several_objects");
    assert.equal(checkGroundable("the apple bowl", [], OBJECT_NOUNS)?.reason, "several_objects");
    assert.equal(checkGroundable("the blue soda can", [], OBJECT_NOUNS), null);
  });

  it("rejects an unknown word describing the object", () => {
    const problem = checkGroundable("the reddish mug", ["reddish"], OBJECT_NOUNS);
    assert.equal(problem?.reason, "unknown_modifier");
    assert.match(problem?.explanation ?? "", /describes the mug only with "reddish", which the model does not know and would skip, leaving any mug a match/);
    assert.equal(checkGroundable("the reddish one", ["reddish"], OBJECT_NOUNS)?.reason, "unknown_modifier");
    assert.equal(checkGroundable("the mug zorp", ["zorp"], OBJECT_NOUNS)?.reason, "no_known_object");
  });

  it("rejects a relation word the model does not know", () => {
    const problem = checkGroundable("the bowl below the red mug", ["below"], OBJECT_NOUNS);
    assert.equal(problem?.reason, "unknown_modifier");
    assert.match(problem?.explanation ?? "", /uses the relation "below", which the model does not know/);
    assert.equal(checkGroundable("the bowl left of the red mug", [], OBJECT_NOUNS), null);
  });

  for (const expression of ["the thing", "the one with the handle", "the one i want", "that thing"]) {
    it(`rejects the vague ${JSON.stringify(expression)}`, () => {
      const unknown = ["with", "handle", "want"].filter((word) => expression.includes(word));
      assert.match(checkGroundable(expression, unknown, OBJECT_NOUNS)?.explanation ?? "", /names no kind of object and nothing the model knows about it/);
    });
  }

  it("accepts a described generic head", () => {
    assert.equal(checkGroundable("the red one", [], OBJECT_NOUNS), null);
    assert.equal(checkGroundable("the thing left of the bowl", [], OBJECT_NOUNS), null);
  });

  it("checks no object without nouns", () => {
    assert.equal(checkGroundable("the knife", [], []), null);
  });

  it("rejects unknown words before the first article", () => {
    const problem = checkGroundable("avoid the red mug", ["avoid"], OBJECT_NOUNS);
    assert.equal(problem?.reason, "unknown_lead_words");
    assert.match(problem?.explanation ?? "", /starts with "avoid", which the model does not know/);
    assert.equal(checkGroundable("the shiny red mug", ["shiny"], OBJECT_NOUNS), null);
  });

  for (const expression of ["the knife the red one", "the red mug and the bowl", "the red thing a mug"]) {
    it(`rejects several objects in ${JSON.stringify(expression)}`, () => {
      assert.equal(checkGroundable(expression, [], OBJECT_NOUNS)?.reason, "several_objects");
    });
  }

  it("rejects a compound of a known noun", () => {
    const problem = checkGroundable("the can opener", ["opener"], ["can", "mug"]);
    assert.equal(problem?.reason, "no_known_object");
    assert.match(problem?.explanation ?? "", /names "can opener", which is not an object the model knows/);
    assert.equal(checkGroundable("the shiny mug on the left", ["shiny"], ["can", "mug"]), null);
  });

  it("accepts a second article after a relation word", () => {
    assert.equal(checkGroundable("the mug between the bowl and the apple", [], OBJECT_NOUNS), null);
  });
});
