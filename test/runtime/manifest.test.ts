import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { ModelError } from "../../src/errors";
import { loadGroundingEngine } from "../../src/runtime/engine";
import { readManifest } from "../../src/runtime/manifest-reader";
import { copyTinyModel, editManifest, removeDir, TINY_MODEL_DIR } from "./helpers";

type Manifest = Record<string, unknown>;
type Block = Record<string, unknown>;

function blocks(manifest: Manifest): Block[] {
  return manifest.blocks as Block[];
}

function section(manifest: Manifest, key: string): Record<string, unknown> {
  return manifest[key] as Record<string, unknown>;
}

/** Each case edits a valid manifest so that exactly one check fails. */
const INVALID_MANIFESTS: Array<[string, (manifest: Manifest) => void, RegExp]> = [
  ["wrong format", (m) => (m.format = "onnx"), /format is "onnx" but must be "softskip-block-graph"/],
  ["unsupported version", (m) => (m.version = 2), /version 2 is not supported/],
  ["missing input", (m) => delete m.input, /input is missing but must be an object/],
  ["zero input width", (m) => (section(m, "input").width = 0), /input\.width is 0 but must be a positive integer/],
  ["non-finite mean", (m) => (section(m, "input").mean = [0.4, "x", 0.4]), /input\.mean is .* but must be three finite numbers/],
  ["zero std", (m) => (section(m, "input").std = [0.2, 0, 0.2]), /input\.std is .* three positive finite numbers/],
  ["pad value out of range", (m) => (section(m, "input").letterbox = { align: "center", padValue: 300 }), /padValue is 300/],
  ["fractional pad value", (m) => (section(m, "input").letterbox = { align: "center", padValue: 114.5 }), /padValue is 114\.5 but must be one integer in 0\.\.255/],
  ["unequal pad values", (m) => (section(m, "input").letterbox = { padValue: [1, 2, 3] }), /padValue is \[1,2,3\]/],
  ["top alignment", (m) => (section(m, "input").letterbox = { align: "top", padValue: 114 }), /letterbox\.align is "top"/],
  ["repeated vocabulary word", (m) => (section(m, "tokenizer").vocab as string[]).push("the"), /vocab repeats "the" at indices 2 and 14/],
  ["unknown id outside vocabulary", (m) => (section(m, "tokenizer").unkId = 99), /tokenizer\.unkId is 99 but must be an index into the vocabulary \(0\.\.13\)/],
  ["zero max tokens", (m) => (section(m, "tokenizer").maxTokens = 0), /tokenizer\.maxTokens is 0/],
  ["object noun not normalised", (m) => (section(m, "tokenizer").objectNouns = ["Coffee  Mug"]), /objectNouns has "Coffee {2}Mug", but each entry must be lowercase words/],
  ["object nouns not a list", (m) => (section(m, "tokenizer").objectNouns = "mug"), /tokenizer\.objectNouns is "mug" but must be a list of non-empty strings/],
  [
    "synonym not an object noun",
    (m) => {
      section(m, "tokenizer").objectNouns = ["mug", "cup"];
      section(m, "tokenizer").objectSynonyms = [["mug", "beaker"]];
    },
    /tokenizer\.objectSynonyms\[0\] has "beaker", which is not in tokenizer\.objectNouns/,
  ],
  ["untrained word outside the vocabulary", (m) => (section(m, "tokenizer").untrainedWords = ["zebra"]), /tokenizer\.untrainedWords has "zebra", which is not in tokenizer\.vocab/],
  ["synonyms not a list", (m) => (section(m, "tokenizer").objectSynonyms = "mug"), /tokenizer\.objectSynonyms must be an array of arrays of object nouns/],
  ["missing text output name", (m) => (section(m, "text").outputs = { sentence: "sentence" }), /text\.outputs\.gates is missing/],
  ["empty block list", (m) => (m.blocks = []), /blocks must be a non-empty array/],
  ["unknown block kind", (m) => (blocks(m)[0].kind = "pool"), /blocks\[0\] \("stem"\)\.kind is "pool"/],
  ["negative FLOPs", (m) => (blocks(m)[1].flops = -1), /blocks\[1\] \("stage4\.down"\)\.flops is -1 but must be a finite number >= 0/],
  ["missing FLOPs", (m) => delete blocks(m)[1].flops, /blocks\[1\] \("stage4\.down"\)\.flops is missing/],
  ["fractional gate", (m) => (blocks(m)[2].gate = 1.5), /\.gate is 1\.5 but must be a gate index/],
  ["gate beyond gate count", (m) => (blocks(m)[2].gate = 9), /"stage4\.res1" has gate 9 but there are 4 gated blocks/],
  ["shared gate", (m) => (blocks(m)[4].gate = 0), /share gate 0/],
  ["mandatory gated block", (m) => (blocks(m)[2].mandatory = true), /\("stage4\.res1"\) is mandatory but has gate 0/],
  ["gated block without skip", (m) => delete blocks(m)[2].skip, /\("stage4\.res1"\) has gate 0 but no skip rule/],
  ["softskip on a backbone block", (m) => (blocks(m)[2].skip = { type: "softskip" }), /softskip skip but kind backbone/],
  ["unknown skip type", (m) => (blocks(m)[2].skip = { type: "drop" }), /\.skip is \{"type":"drop"\}/],
  ["fusion without scale", (m) => delete blocks(m)[4].scale, /\("fuse\.s8"\) is a fusion block without a scale/],
  ["block order that reads ahead", (m) => blocks(m).reverse(), /reads tensor "f32" before any earlier block produces it/],
  ["repeated block name", (m) => (blocks(m)[1].name = "stem"), /blocks\[1\] \("stem"\) repeats the name/],
  ["tensor produced twice", (m) => (blocks(m)[1].outputs = ["c3"]), /produces tensor "c3", which "stem" already produces/],
  ["approximator of a backbone tensor", (m) => (blocks(m)[7].outputs = ["c4"]), /produces "c4", which must be the output of an earlier fusion block/],
  ["head scale without anchors", (m) => (blocks(m)[11].scale = "s64"), /has scale "s64" but anchors has no entry/],
  ["output no head produces", (m) => (m.outputs = ["pred.s8", "c5"]), /outputs lists "c5", which no head block produces/],
  ["malformed anchors", (m) => (section(m, "anchors").s8 = [[8, -1]]), /anchors\.s8 must be a non-empty list/],
  ["gate threshold above one", (m) => (section(m, "thresholds").gate = 1.5), /thresholds\.gate is 1\.5 but must be a number in 0\.\.1/],
  ["static block that is not gateable", (m) => (m.static = { blocks: ["stem"] }), /static\.blocks names "stem", which is not a gateable block/],
  ["gate list out of order", (m) => (m.gates = ["fuse.s8", "stage4.res1", "fuse.s16", "fuse.s32"]), /gates lists \[fuse\.s8, stage4\.res1, fuse\.s16, fuse\.s32\] but the blocks' gate indices give \[stage4\.res1, fuse\.s8/],
  ["full FLOPs that disagree", (m) => (m.fullFlops = 12), /fullFlops is 12 but the non-approximator blocks add up to \d+ FLOPs/],
  ["static model missing", (m) => (m.staticModel = "static/"), /staticModel names .*static\/manifest\.json, which does not exist/],
];

describe("model manifest validation", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await copyTinyModel();
  });

  afterEach(async () => {
    await removeDir(dir);
  });

  it("accepts matching gate and FLOPs summaries", async () => {
    const fullFlops = (await readManifest(dir)).fullFlops;
    await editManifest(dir, (m) => {
      m.gates = ["stage4.res1", "fuse.s8", "fuse.s16", "fuse.s32"];
      m.fullFlops = fullFlops;
    });
    assert.equal((await readManifest(dir)).fullFlops, fullFlops);
  });

  it("accepts the tiny model", async () => {
    const manifest = await readManifest(TINY_MODEL_DIR);
    assert.equal(manifest.name, "tiny-test");
    assert.deepEqual(manifest.gateableBlocks, ["stage4.res1", "fuse.s8", "fuse.s16", "fuse.s32"]);
    assert.equal(manifest.blocks.length, 14);
    assert.ok(manifest.fullFlops > 0);
  });

  for (const [name, edit, fragment] of INVALID_MANIFESTS) {
    it(`rejects ${name}`, async () => {
      await editManifest(dir, edit);
      await assert.rejects(readManifest(dir), (error: unknown) => {
        assert.ok(error instanceof ModelError, `expected ModelError, got ${String(error)}`);
        assert.equal(error.file, path.join(dir, "manifest.json"));
        assert.match(error.message, fragment);
        assert.match(error.message, /^Model manifest .*manifest\.json is invalid: /);
        return true;
      });
    });
  }

  it("loads without its goldens", async () => {
    // Goldens only serve parity tests, and they are most of a model's size.
    await editManifest(dir, (m) => (m.goldens = "goldens/none.json"));
    assert.equal((await readManifest(dir)).goldensPath, null);
  });

  it("rejects a directory without manifest.json", async () => {
    await rm(path.join(dir, "manifest.json"));
    await assert.rejects(readManifest(dir), (error: unknown) => error instanceof ModelError && /manifest\.json could not be read/.test(error.message));
  });

  it("rejects a manifest that is not JSON", async () => {
    await writeFile(path.join(dir, "manifest.json"), "{ not json");
    await assert.rejects(readManifest(dir), (error: unknown) => error instanceof ModelError && /is not valid JSON/.test(error.message));
  });

  it("rejects an infinite FLOPs count", async () => {
    const file = path.join(dir, "manifest.json");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace(/"flops": \d+/, '"flops": 1e999'));
    await assert.rejects(readManifest(dir), (error: unknown) => error instanceof ModelError && /text\.flops is Infinity but must be a finite number/.test(error.message));
  });

  it("rejects a missing block file", async () => {
    await rm(path.join(dir, "fuse.s8.onnx"));
    await assert.rejects(readManifest(dir), (error: unknown) => error instanceof ModelError && /blocks\[4\]\.file names .*fuse\.s8\.onnx, which does not exist/.test(error.message));
  });

  it("rejects a corrupt ONNX file at load", async () => {
    await writeFile(path.join(dir, "stem.onnx"), "not a model");
    await assert.rejects(loadGroundingEngine(dir, { warmup: false }), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(error.file, path.join(dir, "stem.onnx"));
      assert.match(error.message, /stem\.onnx of block stem could not be loaded/);
      return true;
    });
  });

  it("rejects tensor names the ONNX file lacks", async () => {
    await editManifest(dir, (m) => (section(m, "text").outputs = { sentence: "sentence", gates: "gate_probabilities" }));
    await assert.rejects(loadGroundingEngine(dir, { warmup: false }), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(error.file, path.join(dir, "text.onnx"));
      assert.match(error.message, /outputs \[sentence, gates\], but the manifest lists .* outputs \[sentence, gate_probabilities\]/);
      return true;
    });
  });

  it("rejects a gate count the text encoder does not return", async () => {
    await editManifest(dir, (m) => {
      blocks(m)[2].gate = null;
      blocks(m)[4].gate = 0;
      blocks(m)[5].gate = 1;
      blocks(m)[6].gate = 2;
      m.static = { blocks: ["fuse.s16"] };
    });
    await assert.rejects(loadGroundingEngine(dir, { warmup: false }), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.match(error.message, /returns 4 gates but the manifest has 3 gated blocks/);
      return true;
    });
  });

  it("rejects a head with anchors last", async () => {
    await writeFile(path.join(dir, "head.s8.onnx"), await readFile(path.join(TINY_MODEL_DIR, "..", "head-transposed.onnx")));
    await assert.rejects(loadGroundingEngine(dir), (error: unknown) => {
      assert.ok(error instanceof ModelError, String(error));
      assert.equal(error.file, path.join(dir, "head.s8.onnx"));
      assert.match(error.message, /returns pred\.s8 with shape \[1, 5, \d+\], expected \[1, anchors, 5\]/);
      return true;
    });
  });
});
