import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { makeTempDir, REPO_ROOT, writeSampleBag } from "../bag/helpers";
import { writeSessionBag } from "./session-bag";

const CLI = join(REPO_ROOT, "dist/src/cli/main.js");
const TINY_MODEL = join(REPO_ROOT, "test/runtime/fixtures/tiny-model");
const SAMPLE_BAG = join(REPO_ROOT, "samples/tabletop_session.mcap");
const BUNDLED_MANIFEST = join(REPO_ROOT, "models/lgmdp-tabletop/manifest.json");

function runCli(args: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, "replay", ...args], { encoding: "utf8", timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("replay: command line", function () {
  const temp = makeTempDir("replay-cli");
  after(() => temp.remove());

  it("prints help", function () {
    const { status, stdout } = runCli(["--help"]);
    assert.equal(status, 0);
    assert.match(stdout, /Usage: softskip replay BAG/);
    assert.match(stdout, /--rate 1\|max/);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ["no bag", [], /Expected exactly one BAG argument but received 0/],
    ["two command sources", ["x.mcap", "--command", "a", "--commands", "c.yaml"], /either --command or --commands, not both/],
    ["a bad rate", ["x.mcap", "--rate", "fast"], /Invalid --rate "fast"/],
    ["a bad budget", ["x.mcap", "--budget-ms", "soon"], /--budget-ms "soon" is invalid; pass a number from 1 to 10000/],
    ["a budget outside latency_budget_ms's range", ["x.mcap", "--budget-ms", "0"], /--budget-ms "0" is invalid; pass a number from 1 to 10000, the range of the latency_budget_ms parameter/],
    ["an unknown option", ["x.mcap", "--colour"], /Unknown option --colour\. Run softskip replay --help/],
    ["a misspelled option", ["x.mcap", "--comand", "a"], /Unknown option --comand; did you mean --command\?/],
    ["a folder as the report", ["x.mcap", "--report", "."], /--report \. is a folder; pass a file path inside it/],
    ["a report under a file", ["x.mcap", "--report", "package.json/report.html"], /package\.json is a file, not a folder/],
    ["the input bag as --out", ["samples/tabletop_session.mcap", "--out", "./samples/tabletop_session.mcap"], /--out \.\/samples\/tabletop_session\.mcap would overwrite the input bag samples\/tabletop_session\.mcap; pass another path/],
    ["a file of an input folder as the report", ["test", "--report", "test/report.html"], /--report test\/report\.html would overwrite a file of the input bag test; pass another path/],
    ["one file for both outputs", ["x.mcap", "--out", "out/both", "--report", "out/both"], /--out and --report both name out\/both; pass two different files/],
    ["the parameter file as the report", ["x.mcap", "--params", "config/params.yaml", "--report", "config/params.yaml"], /would overwrite the parameter file config\/params\.yaml/],
    ["a folder as --out", ["x.mcap", "--out", "."], /--out \. is a folder; pass a file path inside it, such as \.\/result\.mcap/],
    ["a filler-only command", ["x.mcap", "--command", "um uh"], /--command "um uh" contains no referring expression; pass words that name the object/],
    ["a stop as the command", ["x.mcap", "--command", "stop"], /--command "stop" stops or forbids rather than requests an object/],
    ["a bad policy", ["x.mcap", "--policy", "fastest"], /--policy "fastest" is not a policy; use one of full, lgmdp, softskip, budget, static/],
    ["both parameter flags", ["x.mcap", "--params", "config/params.yaml", "--params-file", "config/params.yaml"], /--params and --params-file name the same file; pass one of them/],
  ];
  for (const [name, args, message] of usageErrors) {
    it(`rejects ${name}`, function () {
      const { status, stderr } = runCli(args);
      assert.equal(status, 2, stderr);
      assert.match(stderr, message);
    });
  }

  it("prints usage errors as JSON", function () {
    const { status, stdout, stderr } = runCli(["x.mcap", "--rate", "fast", "--json"]);
    assert.equal(status, 2, stderr);
    const printed = JSON.parse(stdout) as { status: string; error: string };
    assert.equal(printed.status, "error");
    assert.match(printed.error, /Invalid --rate "fast"/);
  });

  it("skips waiting for commands after the end", async function () {
    // Five frames over 4 s; the second command is due 60 s after the first message.
    const bag = join(temp.dir, "short.mcap");
    await writeSampleBag(bag);
    const commands = join(temp.dir, "late-rate-1.yaml");
    writeFileSync(commands, '- {time_s: 0, text: "the red mug"}\n- {time_s: 60, text: "the blue bowl"}\n');
    // Waiting for the late command would outlast this limit, and spawnSync would kill the run (status null).
    const { status, stderr } = runCli([bag, "--model", TINY_MODEL, "--commands", commands], 50_000);
    assert.equal(status, 0, stderr);
    assert.match(stderr, /"the blue bowl" at 60 s comes after the bag's last message/);
  });

  it("names the parameter file of a value out of range", function () {
    const params = join(temp.dir, "nice.yaml");
    writeFileSync(params, "softskip_grounding:\n  ros__parameters:\n    nice: 25\n");
    const { status, stderr } = runCli(["x.mcap", "--params-file", params]);
    assert.equal(status, 2, stderr);
    assert.match(stderr, new RegExp(`Parameter nice must be between -20 and 19 but received 25 \\(in ${params.replace(/[.\\/]/g, "\\$&")}\\)`));
  });

  it("exits 1 when every frame is rejected", function () {
    // A real bag whose only images are a 30-byte raw image and a truncated JPEG.
    const bag = join(REPO_ROOT, "../shared/data/real-bags/rosbags-rs_test_bag_mcap");
    if (!existsSync(bag)) {
      process.stderr.write(`      skipped: ${bag} is absent\n`);
      this.skip();
    }
    const { status, stderr } = runCli([bag, "--model", TINY_MODEL, "--command", "the cup", "--rate", "max"]);
    assert.equal(status, 1, stderr);
    assert.match(stderr, /Every one of the 2 image messages was rejected/);
  });

  it("exits 1 when no command comes before a frame", function () {
    const commands = join(temp.dir, "late.yaml");
    writeFileSync(commands, '- {time_s: 100, text: "the red mug"}\n');
    const { status, stderr } = runCli([SAMPLE_BAG, "--model", TINY_MODEL, "--commands", commands, "--rate", "max"]);
    assert.equal(status, 1, stderr);
    assert.match(stderr, /comes after the bag's last message/);
    assert.match(stderr, /No command had a usable frame after it, so nothing was grounded/);
  });

  it("exits 1 when the only command is rejected", function () {
    // The bundled model does not know knives. The command comes before the first frame,
    // and is rejected without a NO_IMAGE notice, so nothing is grounded.
    const commands = join(temp.dir, "knife.yaml");
    writeFileSync(commands, '- {time_s: 0, text: "grab the knife"}\n');
    const { status, stdout, stderr } = runCli([SAMPLE_BAG, "--commands", commands, "--rate", "max"]);
    assert.equal(status, 1, stderr);
    assert.match(stdout, /Results: +none\nRejected: +no_known_object 1/);
    assert.match(stderr, /No command had a usable frame after it, so nothing was grounded; the warnings above say why: a command was rejected/);
  });

  it("rejects a --command the model cannot ground before reading the bag", function () {
    const { status, stdout, stderr } = runCli([SAMPLE_BAG, "--command", "grab the knife", "--rate", "max"]);
    assert.equal(status, 2, stderr);
    assert.equal(stdout, "");
    assert.match(stderr, /--command "grab the knife" names no object the model knows \(apple, .*\); name one object/);
    assert.doesNotMatch(stderr, /Command 1/);
  });

  it("rejects a missing bag before loading the model", function () {
    const { status, stderr } = runCli([join(temp.dir, "absent.mcap"), "--command", "the cup"]);
    assert.equal(status, 1);
    assert.match(stderr, /Bag not found: .*absent\.mcap; pass an \.mcap or \.db3 file/);
  });

  it("prints a failure as JSON with --json", function () {
    const { status, stdout } = runCli([join(temp.dir, "missing.mcap"), "--json"]);
    assert.equal(status, 1);
    const printed = JSON.parse(stdout) as { status: string; error: string };
    assert.equal(printed.status, "error");
    assert.match(printed.error, /^Bag not found: .*missing\.mcap/);
  });

  it("says plainly when no model is installed", function () {
    const bag = join(temp.dir, "any.mcap");
    writeFileSync(bag, "");
    const { status, stdout, stderr } = runCli([bag, "--command", "the cup", "--model", temp.dir]);
    assert.equal(status, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /--model .* has no manifest\.json; pass the folder that train\.py exported/);
  });

  it("replays with a real model into a bag and a report", async function () {
    this.timeout(120_000);
    const bagPath = join(temp.dir, "session.mcap");
    await writeSessionBag(bagPath, { frames: 5, intervalMs: 100, transcripts: [[50, "grab the white cup"]], groundTruth: new Map([[1, null]]) });
    const out = join(temp.dir, "out", "session.grounded.mcap");
    const report = join(temp.dir, "out", "report.html");

    const { status, stdout, stderr } = runCli([bagPath, "--model", TINY_MODEL, "--rate", "max", "--json", "--out", out, "--report", report, "--policy", "full"], 110_000);
    assert.equal(status, 0, stderr);
    const summary = JSON.parse(stdout) as { frames: { received: number; processed: number }; commands: number; output: string; policy: string; accuracySamples: number; accuracy: number | null };
    assert.deepEqual([summary.frames.received, summary.frames.processed, summary.commands], [5, 4, 1]);
    assert.equal(summary.output, out);
    assert.equal(summary.policy, "full");
    assert.equal(summary.accuracySamples, 1);
    assert.notEqual(summary.accuracy, null);
    assert.deepEqual(readdirSync(join(temp.dir, "out")).sort(), ["report.html", "session.grounded.mcap"]);
  });

  it("writes a non-ASCII command as ASCII", async function () {
    this.timeout(120_000);
    const bagPath = join(temp.dir, "accents.mcap");
    await writeSessionBag(bagPath, { frames: 2, intervalMs: 100, transcripts: [], groundTruth: new Map() });
    const out = join(temp.dir, "accents.grounded.mcap");

    const { status, stdout, stderr } = runCli([bagPath, "--model", TINY_MODEL, "--rate", "max", "--json", "--out", out, "--command", "grab the café cup \u2013 please"], 110_000);
    assert.equal(status, 0, stderr);
    const summary = JSON.parse(stdout) as { frames: { processed: number }; commands: number };
    assert.equal(summary.commands, 1);
    assert.equal(summary.frames.processed, 2);
    assert.ok(existsSync(out));
  });

  it("replays the sample bag with the bundled model", function () {
    if (!existsSync(BUNDLED_MANIFEST) || !existsSync(SAMPLE_BAG)) {
      this.skip();
    }
    this.timeout(300_000);
    const out = join(temp.dir, "sample.grounded.mcap");
    const report = join(temp.dir, "report.html");
    const { status, stdout, stderr } = runCli([SAMPLE_BAG, "--rate", "max", "--json", "--out", out, "--report", report], 280_000);
    assert.equal(status, 0, stderr);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    for (const field of ["bag", "output", "messages", "frames", "rejected", "commands", "results", "latencyMs", "computeRatio", "overBudget", "accuracy"]) {
      assert.ok(field in summary, `summary has ${field}`);
    }
    assert.ok(existsSync(out));
    assert.ok(existsSync(report));
  });

  it("fails on a file that is not a bag", function () {
    const notes = join(temp.dir, "notes.txt");
    writeFileSync(notes, "shopping list\n");
    const { status, stderr } = runCli([notes, "--command", "the cup", "--model", TINY_MODEL]);
    assert.equal(status, 1);
    assert.match(stderr, /notes\.txt is not a bag file/);
  });
});
