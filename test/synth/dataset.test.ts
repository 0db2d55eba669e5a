import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";

import { ArgumentError } from "../../src/errors";
import { silentLogger } from "../../src/log";
import { writeDataset, type DatasetOptions } from "../../src/synth/dataset";

interface RefRecord {
  ref_id: number;
  image_id: number;
  ann_id: number;
  category_id: number;
  split: string;
  absent: boolean;
  kinds: string[];
  sentences: { sent_id: number; sent: string; raw: string; tokens: string[] }[];
}

describe("synth dataset", function () {
  this.timeout(120_000);
  const root = mkdtempSync(path.join(tmpdir(), "softskip-synth-"));
  const base: DatasetOptions = { out: "", scenes: 12, width: 128, height: 96, seed: 3, logger: silentLogger };

  after(() => rmSync(root, { recursive: true, force: true }));

  it("same seed writes the same bytes", async () => {
    const first = path.join(root, "first");
    const second = path.join(root, "second");
    await writeDataset({ ...base, out: first, threads: 0 });
    await writeDataset({ ...base, out: second, threads: 2 });
    for (const file of ["instances.json", "refs.json", ...readdirSync(path.join(first, "images")).map((name) => path.join("images", name))]) {
      assert.ok(readFileSync(path.join(first, file)).equals(readFileSync(path.join(second, file))), `${file} differs between runs`);
    }
  });

  it("writes the documented format", async () => {
    const out = path.join(root, "first");
    const instances = JSON.parse(readFileSync(path.join(out, "instances.json"), "utf8"));
    const refs = JSON.parse(readFileSync(path.join(out, "refs.json"), "utf8")) as RefRecord[];

    assert.equal(instances.info.seed, 3);
    assert.equal(instances.info.counts.images, 12);
    assert.equal(instances.images.length, 12);
    assert.equal(instances.categories.length, 10);
    assert.deepEqual(instances.categories[0], { id: 1, name: "mug", synonyms: ["cup", "coffee mug"] });

    const image = instances.images[5];
    assert.deepEqual([image.id, image.file_name, image.width, image.height], [5, "000005.jpg", 128, 96]);
    const metadata = await sharp(path.join(out, "images", image.file_name)).metadata();
    assert.deepEqual([metadata.format, metadata.width, metadata.height], ["jpeg", 128, 96]);

    const annotationIds = new Set<number>(instances.annotations.map((annotation: { id: number }) => annotation.id));
    for (const annotation of instances.annotations) {
      assert.equal(annotation.bbox.length, 4);
      assert.equal(typeof annotation.color, "string");
      assert.equal(typeof annotation.size, "number");
    }
    assert.ok(refs.length >= 24, `only ${refs.length} refs for 12 scenes`);
    refs.forEach((ref, index) => {
      assert.equal(ref.ref_id, index);
      assert.equal(ref.sentences.length, 1);
      const sentence = ref.sentences[0];
      assert.deepEqual(sentence?.tokens, sentence?.sent.split(" "));
      assert.ok(ref.kinds.length > 0);
      if (ref.absent) {
        assert.equal(ref.ann_id, -1);
      } else {
        assert.ok(annotationIds.has(ref.ann_id), `ref ${ref.ref_id} points at missing annotation ${ref.ann_id}`);
      }
    });
  });

  it("refuses to write over a dataset", async () => {
    const existing = path.join(root, "existing");
    await writeDataset({ ...base, out: existing, scenes: 1 });
    await assert.rejects(
      writeDataset({ ...base, out: existing, scenes: 2 }),
      (error: unknown) => error instanceof ArgumentError && /already contains a dataset \(\d+ files in images\/\)/.test(error.message),
    );
  });

  it("rejects bad options by name", async () => {
    const cases: [Partial<DatasetOptions>, RegExp][] = [
      [{ scenes: 0 }, /--scenes must be an integer from 1/],
      [{ width: 10 }, /width must be an integer from 32 to 4096 but is 10/],
      [{ seed: -1 }, /seed must be an integer/],
      [{ quality: 101 }, /quality must be an integer from 1 to 100/],
      [{ threads: 1.5 }, /threads must be an integer/],
      [{ out: " " }, /pass --out DIR/],
    ];
    for (const [change, message] of cases) {
      await assert.rejects(writeDataset({ ...base, out: path.join(root, "bad"), ...change }), (error: unknown) => error instanceof ArgumentError && message.test(error.message));
    }
  });
});
