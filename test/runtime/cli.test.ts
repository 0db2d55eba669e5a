import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { POLICY_NAMES } from "../../src/params/declarations";
import { copyTinyModel, editManifest, removeDir, REPO_ROOT, SHIPPED_MODEL_DIR, TINY_MODEL_DIR } from "./helpers";

const CLI = path.join(REPO_ROOT, "dist/src/cli/main.js");
const SCENE = path.join(TINY_MODEL_DIR, "goldens/scene.png");

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env }, (error, stdout, stderr) => {
      let code = 0;
      if (error !== null) {
        code = typeof error.code === "number" ? error.code : 1;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** Writes a two-ref dataset (one present referent, one absent) around the tiny model's scene. */
async function writeDataset(dir: string): Promise<void> {
  await mkdir(path.join(dir, "images"), { recursive: true });
  await copyFile(SCENE, path.join(dir, "images/000000.png"));
  const instances = {
    info: {},
    images: [{ id: 0, file_name: "000000.png", width: 96, height: 64 }],
    annotations: [{ id: 5, image_id: 0, category_id: 1, bbox: [20, 10, 30, 30], area: 900 }],
    categories: [{ id: 1, name: "cup", synonyms: [] }],
  };
  const refs = [
    { ref_id: 0, image_id: 0, ann_id: 5, category_id: 1, split: "test", absent: false, kinds: ["color"], sentences: [{ sent_id: 0, sent: "the red cup", raw: "uh grab the red cup", tokens: [] }] },
    { ref_id: 1, image_id: 0, ann_id: -1, category_id: 1, split: "test", absent: true, kinds: ["color"], sentences: [{ sent_id: 1, sent: "the blue bowl", raw: "find the blue bowl", tokens: [] }] },
    { ref_id: 2, image_id: 0, ann_id: 5, category_id: 1, split: "train", absent: false, kinds: [], sentences: [{ sent_id: 2, sent: "the cup", raw: "the cup", tokens: [] }] },
  ];
  await writeFile(path.join(dir, "instances.json"), JSON.stringify(instances));
  await writeFile(path.join(dir, "refs.json"), JSON.stringify(refs));
}

describe("softskip command", function () {
  it("is built executable for npx", () => {
    // npm ci links bin files before prepare builds them, so the build must set the mode.
    assert.equal(statSync(CLI).mode & 0o111, 0o111, `${CLI} mode ${(statSync(CLI).mode & 0o777).toString(8)}`);
  });
});

describe("softskip ground and eval", function () {
  this.timeout(60000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "softskip-cli-"));
  });

  after(async () => {
    await removeDir(dir);
  });

  it("ground names the threshold a box missed", async () => {
    // The tiny model's scores are far below 1, so this threshold makes every box a miss.
    const model = await copyTinyModel();
    await editManifest(model, (manifest) => {
      (manifest.thresholds as Record<string, number>).score = 0.999;
    });
    const run = await runCli(["ground", "--image", SCENE, "--text", "the red cup", "--model", model, "--policy", "full"]);
    await removeDir(model);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Not found: "the red cup", best box x=[\d.]+ .*score [\d.]+ is below the model's score threshold 0\.999/);
  });

  it("ground prints the JSON contract", async () => {
    const out = path.join(dir, "annotated.png");
    const run = await runCli(["ground", "--image", SCENE, "--text", "Um, grab the red cup please", "--model", TINY_MODEL_DIR, "--policy", "softskip", "--out", out, "--json"]);
    assert.equal(run.code, 0, run.stderr);

    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.ok(["grounded", "not_found"].includes(result.status as string));
    assert.deepEqual(Object.keys(result.box as object).sort(), ["height", "width", "x", "y"]);
    assert.equal(typeof result.score, "number");
    assert.equal(typeof result.scoreThreshold, "number");
    assert.equal(result.expression, "the red cup");
    assert.equal(result.policy, "softskip");
    assert.ok(Array.isArray(result.executedBlocks));
    assert.equal(typeof result.computeRatio, "number");
    const latency = result.latencyMs as Record<string, number>;
    for (const stage of ["total", "decode", "preprocess", "text", "postprocess"]) {
      assert.equal(typeof latency[stage], "number", `latencyMs.${stage}`);
    }

    const png = await readFile(out);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it("ground rejects a missing image", async () => {
    const run = await runCli(["ground", "--image", path.join(dir, "none.jpg"), "--text", "the cup", "--model", TINY_MODEL_DIR]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /none\.jpg/);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  });

  it("ground rejects a stop command", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "never mind", "--model", TINY_MODEL_DIR, "--json"]);
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(result.status, "rejected");
    assert.match(run.stderr, /--text "never mind" stops or forbids rather than requests an object/);
  });

  it("ground rejects a text over the length limit", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "the red cup ".repeat(60), "--model", TINY_MODEL_DIR, "--json"]);
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(result.status, "rejected");
    assert.match(run.stderr, /characters long; the maximum is 500/);
  });

  it("ground rejects a folder as --out before loading", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "the cup", "--model", TINY_MODEL_DIR, "--out", dir]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--out .* is a folder; pass a file path inside it/);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  });

  it("prints the package version", async () => {
    const run = await runCli(["--version"]);
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(run.code, 0);
    assert.equal(run.stdout.trim(), `softskip ${version}`);
  });

  it("ground warns that only the budget policy uses --budget-ms", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "the cup", "--model", TINY_MODEL_DIR, "--policy", "full", "--budget-ms", "10"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /--budget-ms applies to the budget policy only; --policy full ignores it/);
  });

  it("ground refuses to overwrite its image", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "the cup", "--model", TINY_MODEL_DIR, "--out", SCENE]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--out .*scene\.png would overwrite the input image/);
  });

  it("ground rejects words the model does not know", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "la tasse rouge", "--model", TINY_MODEL_DIR]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Expression "la tasse rouge" has no word the model knows, so it cannot be grounded/);
  });

  it("ground rejects a repeated unknown word", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "xyzzy plugh xyzzy", "--model", TINY_MODEL_DIR]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Expression "xyzzy plugh xyzzy" has no word the model knows/);
  });

  for (const text of ["the knife", "the screwdriver", "the laptop on the left"]) {
    it(`ground rejects ${JSON.stringify(text)} with the shipped model`, async () => {
      const run = await runCli(["ground", "--image", SCENE, "--text", text, "--model", SHIPPED_MODEL_DIR]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /names no object the model knows \(apple, ball, .*, or "the red one"\), so it cannot be grounded/);
    });
  }

  it("ground rejects a correction that cannot exclude a category", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "not the bowl, the blue one", "--model", SHIPPED_MODEL_DIR]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /rejects bowl without naming another kind of object, so the model could pick a bowl again/);
  });

  it("ground rejects a command for several objects", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "grab all the bowls", "--model", SHIPPED_MODEL_DIR]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /asks for several objects \("all the bowls"\), but the node grounds one object per command/);
  });

  it("ground warns about some unknown words", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "the purple cup", "--model", TINY_MODEL_DIR]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Words not in the model's vocabulary are ignored: purple\./);
  });

  it("ground explains text without Latin letters", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "赤いマグカップ", "--model", TINY_MODEL_DIR]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /has no words in the Latin alphabet, and the model understands English only/);
  });

  it("ground suggests the option a typo meant", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--txt", "the cup"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Unknown option --txt; did you mean --text\? Run softskip ground --help/);
    const evalRun = await runCli(["eval", "--dat", dir, "--policy", "full"]);
    assert.equal(evalRun.code, 2);
    assert.match(evalRun.stderr, /Unknown option --dat; did you mean --data\? Run softskip eval --help/);
  });

  it("ground prints no ONNX Runtime warning when the home folder cannot be written", async () => {
    // ONNX Runtime warned that it could not persist a telemetry id there.
    const run = await runCli(["ground", "--image", SCENE, "--text", "the cup", "--model", TINY_MODEL_DIR], { ...process.env, HOME: "/proc/self/no-home" });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /onnxruntime/);
  });

  it("ground rejects an unknown policy", async () => {
    const run = await runCli(["ground", "--image", SCENE, "--text", "the cup", "--policy", "fastest"]);
    assert.equal(run.code, 2, "usage errors exit 2");
    assert.match(run.stderr, /--policy "fastest" is not a policy; use one of full, lgmdp, softskip, budget, static/);
  });

  it("ground and eval hold --threads and --budget-ms to the parameters' ranges", async () => {
    const cases: [string[], RegExp][] = [
      [["ground", "--image", SCENE, "--text", "the cup", "--threads", "1000"], /--threads "1000" is invalid; pass a whole number from 1 to 64, the range of the num_threads parameter/],
      [["ground", "--image", SCENE, "--text", "the cup", "--budget-ms", "0x10"], /--budget-ms "0x10" is invalid; pass a number from 1 to 10000/],
      [["eval", "--data", dir, "--threads", "0"], /--threads "0" is invalid; pass a whole number from 1 to 64/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `usage errors exit 2: ${args.join(" ")}`);
      assert.match(run.stderr, message);
    }
  });

  it("eval prints the JSON contract", async () => {
    const data = path.join(dir, "dataset");
    await writeDataset(data);
    const run = await runCli(["eval", "--data", data, "--model", TINY_MODEL_DIR, "--json", "--budget-ms", "50"]);
    assert.equal(run.code, 0, run.stderr);

    const report = JSON.parse(run.stdout) as { dataset: string; split: string; count: number; skipped: number; policies: Record<string, Record<string, unknown>> };
    assert.equal(report.dataset, data);
    assert.equal(report.split, "test");
    assert.equal(report.count, 2);
    assert.equal(report.skipped, 0);
    assert.deepEqual(Object.keys(report.policies), [...POLICY_NAMES]);
    for (const [policy, result] of Object.entries(report.policies)) {
      assert.ok((result.accuracy as number) >= 0, `${policy} accuracy ${String(result.accuracy)}`);
      assert.ok((result.accuracy as number) <= 1, `${policy} accuracy ${String(result.accuracy)}`);
      // One present and one absent referent: accuracy counts the present one only.
      assert.equal(result.present, 1, `${policy} present`);
      assert.equal(result.accuracy, result.located, `${policy} accuracy over 1 present ref`);
      assert.equal(result.decisionAccuracy, (result.correct as number) / 2, `${policy} decisionAccuracy`);
      assert.equal(typeof result.computeRatio, "number", `${policy} computeRatio`);
      assert.deepEqual(Object.keys(result.latencyMs as object).sort(), ["mean", "p50", "p90", "p99"], `${policy} latencyMs`);
      const stages = result.stageMeansMs as Record<string, number>;
      assert.deepEqual(Object.keys(stages).sort(), ["blocks", "decode", "dispatch", "postprocess", "preprocess"], `${policy} stageMeansMs`);
      const sum = Object.values(stages).reduce((total, ms) => total + ms, 0);
      const mean = (result.latencyMs as { mean: number }).mean;
      assert.ok(Math.abs(sum - mean) < 1e-6 * Math.max(1, mean), `${policy} stages add up to ${sum}, mean ${mean}`);
      assert.ok(stages.blocks > 0, `${policy} blocks ${stages.blocks}`);
    }
  });

  it("eval leaves out refs whose image is missing", async () => {
    const data = path.join(dir, "dataset-missing-image");
    await writeDataset(data);
    const refs = JSON.parse(await readFile(path.join(data, "refs.json"), "utf8")) as Array<Record<string, unknown>>;
    const instances = JSON.parse(await readFile(path.join(data, "instances.json"), "utf8")) as { images: Array<Record<string, unknown>> };
    instances.images.push({ id: 1, file_name: "000001.png", width: 96, height: 64 });
    refs.push({ ...refs[1], ref_id: 3, image_id: 1, sentences: [{ sent_id: 3, sent: "the blue bowl", raw: "find the blue bowl", tokens: [] }] });
    await writeFile(path.join(data, "instances.json"), JSON.stringify(instances));
    await writeFile(path.join(data, "refs.json"), JSON.stringify(refs));

    const run = await runCli(["eval", "--data", data, "--model", TINY_MODEL_DIR, "--policies", "full,softskip", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { count: number; skipped: number; policies: Record<string, { present: number; correct: number; decisionAccuracy: number }> };
    assert.equal(report.count, 2);
    assert.equal(report.skipped, 1);
    assert.equal(report.policies.full.decisionAccuracy, report.policies.full.correct / 2);
    assert.equal(run.stderr.match(/Skipping ref 3: /g)?.length, 1, run.stderr);
    assert.match(run.stderr, /Skipped 1 of 3 refs in all/);
  });

  it("eval skips a refused expression", async () => {
    const data = path.join(dir, "dataset-bad-expression");
    await writeDataset(data);
    const refs = JSON.parse(await readFile(path.join(data, "refs.json"), "utf8")) as Array<Record<string, unknown>>;
    refs.push({ ...refs[0], ref_id: 4, sentences: [{ sent_id: 4, sent: "?!", raw: "?!", tokens: [] }] });
    await writeFile(path.join(data, "refs.json"), JSON.stringify(refs));

    const run = await runCli(["eval", "--data", data, "--model", TINY_MODEL_DIR, "--policies", "full", "--text", "sent", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { count: number; skipped: number };
    assert.deepEqual([report.count, report.skipped], [2, 1]);
    assert.match(run.stderr, /Skipping ref 4: Expression "\?!" has no words/);
  });

  it("eval exits 1 when no image can be read", async () => {
    const data = path.join(dir, "dataset-no-images");
    await writeDataset(data);
    await rm(path.join(data, "images/000000.png"));
    const run = await runCli(["eval", "--data", data, "--model", TINY_MODEL_DIR, "--policies", "full"]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "", "no table of zeros");
    assert.match(run.stderr, /No ref of split test was scored: all 2 were skipped/);
    const json = await runCli(["eval", "--data", data, "--model", TINY_MODEL_DIR, "--policies", "full", "--json"]);
    assert.equal(json.code, 1);
    const printed = JSON.parse(json.stdout) as { status: string; error: string };
    assert.equal(printed.status, "error");
    assert.match(printed.error, /No ref of split test was scored/);
  });

  it("eval scores the card's sample", async () => {
    const data = path.join(dir, "dataset");
    await writeDataset(data);
    const model = await copyTinyModel();
    try {
      await writeFile(path.join(model, "metrics.json"), JSON.stringify({ eval_refs: { test: [1] }, splits: { test: { full: { accuracy: 0.25 } } } }));
      const run = await runCli(["eval", "--data", data, "--model", model, "--policies", "full,static", "--card-sample", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as { count: number; text: string; cardAccuracy: Record<string, number> };
      assert.equal(report.count, 1, "only ref 1, the one the card scored");
      assert.equal(report.text, "sent");
      assert.deepEqual(report.cardAccuracy, { full: 0.25 });

      await writeFile(path.join(model, "metrics.json"), JSON.stringify({ splits: {} }));
      const missing = await runCli(["eval", "--data", data, "--model", model, "--card-sample"]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /lists no scored refs for split test \(eval_refs\); run \/usr\/bin\/python3 models\/training\/backfill_manifest\.py/);
    } finally {
      await removeDir(model);
    }
  });

  it("eval card sample names the dataset command", async () => {
    const data = path.join(dir, "dataset");
    await writeDataset(data);
    const run = await runCli(["eval", "--data", data, "--card-sample"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /pass the dataset the model was trained on \(for the bundled model: softskip synth dataset --out data\/tabletop --scenes 20000/);
  });

  it("eval rejects an unknown split", async () => {
    const data = path.join(dir, "dataset");
    await writeDataset(data);
    const run = await runCli(["eval", "--data", data, "--split", "holdout", "--model", TINY_MODEL_DIR]);
    assert.equal(run.code, 2, "usage errors exit 2");
    assert.match(run.stderr, /--split holdout has no refs .*; splits present: test, train/);
  });
});
