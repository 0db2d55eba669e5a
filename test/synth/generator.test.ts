import assert from "node:assert/strict";

import { COLOR_WORDS, CATEGORIES, HELD_OUT_PAIRS, isHeldOut } from "../../src/synth/catalog";
import { generateScene, sceneFacts, splitOf, SPLITS, type GeneratedScene } from "../../src/synth/generator";
import { resolve } from "../../src/synth/semantics";

const OPTIONS = { seed: 7, width: 192, height: 144 };

/** Scenes from every split: the first 40 indices plus the first test-novel ones. */
function sampleScenes(): GeneratedScene[] {
  const indices = Array.from({ length: 40 }, (_, index) => index);
  const novel = Array.from({ length: 400 }, (_, index) => index).filter((index) => splitOf(OPTIONS.seed, index) === "test-novel");
  return [...indices, ...novel.slice(0, 6)].map((index) => generateScene(OPTIONS, index));
}

describe("synth generator", () => {
  const scenes = sampleScenes();

  it("same seed gives the same scene", () => {
    const again = generateScene(OPTIONS, 3);
    assert.deepEqual(again.objects, scenes[3]?.objects);
    assert.deepEqual(again.refs, scenes[3]?.refs);
  });

  it("boxes lie inside the image and are not degenerate", () => {
    for (const scene of scenes) {
      assert.ok(scene.objects.length >= 2, `scene ${scene.index} has ${scene.objects.length} objects`);
      for (const object of scene.objects) {
        const [x, y, width, height] = object.bbox;
        const where = `scene ${scene.index}, box ${object.bbox}`;
        assert.ok(x >= 0, `${where}: starts left of the image`);
        assert.ok(y >= 0, `${where}: starts above the image`);
        assert.ok(x + width <= OPTIONS.width, `${where}: ends right of the image`);
        assert.ok(y + height <= OPTIONS.height, `${where}: ends below the image`);
        assert.ok(width >= 4, `${where}: too narrow`);
        assert.ok(height >= 4, `${where}: too short`);
        assert.ok(object.area > 0, `${where}: no visible pixels`);
        assert.ok(object.area <= width * height, `${where}: area ${object.area} exceeds the box`);
      }
    }
  });

  it("train scenes get about three times as many refs as evaluation scenes", () => {
    const mean = (list: GeneratedScene[]) => list.reduce((sum, scene) => sum + scene.refs.length, 0) / list.length;
    const train = scenes.filter((scene) => scene.split === "train");
    const evaluation = scenes.filter((scene) => scene.split === "val" || scene.split === "test");
    assert.ok(train.length > 0, "the sample needs train scenes");
    assert.ok(evaluation.length > 0, "the sample needs evaluation scenes");
    assert.ok(mean(train) > 2 * mean(evaluation), `train mean ${mean(train)}, evaluation mean ${mean(evaluation)}`);
    for (const scene of evaluation) {
      assert.ok(scene.refs.length <= 4, `${scene.split} scene ${scene.index} has ${scene.refs.length} refs`);
    }
  });

  it("every present ref resolves to its referent alone", () => {
    let checked = 0;
    for (const scene of scenes) {
      const { facts } = sceneFacts(scene.layout);
      for (const ref of scene.refs.filter((item) => !item.absent)) {
        const result = resolve(facts, ref.description);
        assert.deepEqual(result, { status: "unique", index: ref.target }, `scene ${scene.index}: "${ref.sent}"`);
        assert.equal(ref.category, scene.objects[ref.target]?.category);
        checked++;
      }
    }
    assert.ok(checked > 80, `only ${checked} refs checked`);
  });

  it("absent refs match no object and are labelled absent", () => {
    let absent = 0;
    for (const scene of scenes) {
      const { facts } = sceneFacts(scene.layout);
      for (const ref of scene.refs.filter((item) => item.absent)) {
        assert.equal(ref.target, -1);
        assert.deepEqual(resolve(facts, ref.description), { status: "none" }, `scene ${scene.index}: "${ref.sent}"`);
        absent++;
      }
    }
    assert.ok(absent > 0, "no absent ref in the sample");
  });

  it("held-out pairs appear only in test-novel scenes", () => {
    for (const scene of scenes.filter((item) => item.split !== "test-novel")) {
      for (const object of scene.objects) {
        assert.ok(!isHeldOut(object.color, object.category), `scene ${scene.index} (${scene.split}) has a ${object.color} ${object.category}`);
      }
      for (const ref of scene.refs) {
        const { category, color } = ref.description.head;
        assert.ok(category === null || color === null || !isHeldOut(color, category), `scene ${scene.index}: "${ref.sent}" names a held-out pair`);
      }
    }
  });

  it("test-novel refs name a held-out pair by colour", () => {
    const novel = scenes.filter((scene) => scene.split === "test-novel");
    assert.ok(novel.length > 0);
    for (const scene of novel) {
      assert.ok(scene.refs.length > 0, `test-novel scene ${scene.index} has no refs`);
      for (const ref of scene.refs) {
        const object = scene.objects[ref.target];
        assert.ok(object !== undefined, `scene ${scene.index}: "${ref.sent}" has no referent`);
        assert.ok(isHeldOut(object.color, object.category), `scene ${scene.index}: "${ref.sent}" refers to a ${object.color} ${object.category}`);
        assert.equal(ref.description.head.color, object.color);
        assert.ok(ref.kinds.includes("color"));
      }
    }
    assert.equal(HELD_OUT_PAIRS.length, 6);
  });

  it("sentences contain the words their kinds list", () => {
    for (const scene of scenes) {
      for (const ref of scene.refs) {
        const tokens = ref.sent.split(" ");
        const head = ref.description.head;
        assert.match(ref.sent, /^[a-z ]+$/, `"${ref.sent}" is not lowercase words`);
        if (head.color !== null) {
          assert.ok(tokens.some((token) => COLOR_WORDS[head.color as keyof typeof COLOR_WORDS].includes(token)), `"${ref.sent}" lacks a word for ${head.color}`);
        }
        if (head.category !== null) {
          const nouns = CATEGORIES.find((category) => category.name === head.category)?.nouns ?? [];
          assert.ok(nouns.some((noun) => ref.sent.includes(noun)), `"${ref.sent}" lacks a noun for ${head.category}`);
        }
        assert.match(ref.raw, /^[a-z ]+$/, `raw "${ref.raw}" has punctuation or capitals`);
      }
    }
  });

  it("splits cover all four names", () => {
    const seen = new Set(Array.from({ length: 400 }, (_, index) => splitOf(OPTIONS.seed, index)));
    assert.deepEqual([...seen].sort(), [...SPLITS].sort());
  });
});
