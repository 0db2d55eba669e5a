import assert from "node:assert/strict";

import type { TokenizerSpec } from "../../src/runtime/manifest";
import { Tokenizer } from "../../src/runtime/tokenizer";

const SPEC: TokenizerSpec = {
  maxTokens: 6,
  padId: 0,
  unkId: 1,
  vocab: ["<pad>", "<unk>", "the", "red", "mug", "dark"],
  objectNouns: ["mug"],
  objectSynonyms: [],
  untrainedWords: ["dark"],
};

describe("runtime/tokenizer", () => {
  it("maps known words to their ids and pads", () => {
    assert.deepEqual(new Tokenizer(SPEC).tokenize("The red MUG").ids, [2, 3, 4, 0, 0, 0]);
  });

  it("reads untrained words as unknown", () => {
    const tokenized = new Tokenizer(SPEC).tokenize("the dark mug");
    assert.deepEqual(tokenized.ids, [2, 1, 4, 0, 0, 0]);
    assert.deepEqual(tokenized.unknownWords, ["dark"]);
  });

  it("counts words beyond the maximum", () => {
    assert.equal(new Tokenizer(SPEC).tokenize("the red mug the red mug the red").truncatedWords, 2);
  });
});
