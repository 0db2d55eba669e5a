import assert from "node:assert/strict";

import { relationTruth, resolve, type ObjectFacts, type SceneFacts } from "../../src/synth/semantics";

function object(category: ObjectFacts["category"], color: ObjectFacts["color"], x: number, y: number, size = 20): ObjectFacts {
  return { category, color, x, y, width: size, height: size, area: size * size };
}

/** Three mugs in a row, a bowl at the back and a small can at the front. */
const SCENE: SceneFacts = {
  width: 320,
  height: 240,
  objects: [
    object("mug", "red", 20, 100),
    object("mug", "blue", 140, 100, 40),
    object("mug", "red", 260, 100),
    object("bowl", "white", 140, 20),
    object("can", "green", 150, 200, 10),
  ],
};

describe("synth semantics", () => {
  it("category and colour single out one object", () => {
    assert.deepEqual(resolve(SCENE, { head: { category: "mug", color: "blue" } }), { status: "unique", index: 1 });
    assert.deepEqual(resolve(SCENE, { head: { category: "bowl", color: null } }), { status: "unique", index: 3 });
  });

  it("several matches are ambiguous", () => {
    assert.deepEqual(resolve(SCENE, { head: { category: "mug", color: "red" } }), { status: "ambiguous" });
  });

  it("a missing pair resolves to none", () => {
    assert.deepEqual(resolve(SCENE, { head: { category: "mug", color: "green" } }), { status: "none" });
    assert.deepEqual(resolve(SCENE, { head: { category: "banana", color: null } }), { status: "none" });
  });

  it("position and ordinal pick among same-category objects", () => {
    const head = { category: "mug" as const, color: null };
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "position", value: "left" } }), { status: "unique", index: 0 });
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "position", value: "middle" } }), { status: "unique", index: 1 });
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "ordinal", rank: 3, from: "left" } }), { status: "unique", index: 2 });
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "ordinal", rank: 1, from: "right" } }), { status: "unique", index: 2 });
  });

  it("size words need a clear ratio", () => {
    const head = { category: "mug" as const, color: null };
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "size", value: "big" } }), { status: "unique", index: 1 });
    // Two equal small mugs: "the small mug" is ambiguous.
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "size", value: "small" } }), { status: "ambiguous" });
  });

  it("superlatives over all objects", () => {
    const head = { category: null, color: null };
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "superlative", value: "closest" } }), { status: "unique", index: 4 });
    assert.deepEqual(resolve(SCENE, { head, selector: { kind: "superlative", value: "farthest" } }), { status: "unique", index: 3 });
  });

  it("relations are three-valued", () => {
    const [redLeft, blue, redRight, bowl] = SCENE.objects as ObjectFacts[];
    assert.equal(relationTruth("left_of", redLeft as ObjectFacts, [blue as ObjectFacts], SCENE), "yes");
    assert.equal(relationTruth("left_of", redRight as ObjectFacts, [blue as ObjectFacts], SCENE), "no");
    assert.equal(relationTruth("behind", bowl as ObjectFacts, [blue as ObjectFacts], SCENE), "yes");
    assert.equal(relationTruth("in_front_of", bowl as ObjectFacts, [blue as ObjectFacts], SCENE), "no");
    assert.equal(relationTruth("between", blue as ObjectFacts, [redLeft as ObjectFacts, redRight as ObjectFacts], SCENE), "yes");
    const nearby = object("mug", "red", 135, 100);
    assert.equal(relationTruth("left_of", nearby, [blue as ObjectFacts], SCENE), "unsure");
  });

  it("relation anchors must be unique", () => {
    const description = { head: { category: "can" as const, color: null }, relation: { kind: "in_front_of" as const, anchors: [{ category: "mug" as const, color: "blue" as const }] } };
    assert.deepEqual(resolve(SCENE, description), { status: "unique", index: 4 });
    const ambiguousAnchor = { ...description, relation: { kind: "in_front_of" as const, anchors: [{ category: "mug" as const, color: "red" as const }] } };
    assert.deepEqual(resolve(SCENE, ambiguousAnchor), { status: "ambiguous" });
  });

  it("between needs two anchors", () => {
    assert.throws(() => relationTruth("between", SCENE.objects[1] as ObjectFacts, [SCENE.objects[0] as ObjectFacts], SCENE), /between needs 2 anchors but received 1/);
  });
});
