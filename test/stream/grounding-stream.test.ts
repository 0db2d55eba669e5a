import assert from "node:assert/strict";

import { TestScheduler } from "rxjs/testing";

import { buildTestStream } from "./harness";

const RED_CUP = { t: "pick up the red cup" };

function createScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
}

describe("grounding stream", () => {
  it("drops waiting frames while busy", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        frames: "    a-b-c-------e|",
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe("----B-----A---------C---------(E|)", {
        B: "busy:b",
        A: "a@1",
        C: "c@1",
        E: "e@1",
      });
      helpers.flush();
      assert.deepStrictEqual(
        engine.groundCalls.map((call) => call.frame),
        ["a", "c", "e"],
      );
    });
  });

  it("drops frames that went stale", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        parameterValues: { p: { max_image_age_ms: 5 } },
        parameters: "p",
        frames: "ab------------------c|",
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe("10ms (AS) 16ms (C|)", { A: "a@1", S: "stale:b", C: "c@1" });
    });
  });

  it("ignores frames while no command", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        frames: "a-b-c|",
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe("-----|");
      helpers.flush();
      assert.equal(engine.groundCalls.length, 0);
    });
  });

  it("grounds a transcript that precedes the first frame", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        frames: "30ms a|",
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe("40ms (A|)", { A: "a@1" });
    });
  });

  it("skips frames that precede the command", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "5ms t",
        texts: RED_CUP,
        frames: "a 9ms b|",
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe("20ms (B|)", { B: "b@1" });
      helpers.flush();
      assert.deepStrictEqual(
        engine.groundCalls.map((call) => call.frame),
        ["b"],
      );
    });
  });

  it("replaces the command on a correction", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t 14ms u",
        texts: { t: "grab the red cup", u: "no, the blue one" },
        frames: "a 9ms b 9ms c 9ms d|",
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe("5ms A 9ms B 9ms C 9ms (D|)", {
        A: "a@1",
        B: "b@1",
        C: "c@2",
        D: "d@2",
      });
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the red cup", "the blue one"]);
      assert.deepStrictEqual(engine.releases[0], { handle: 1, atMs: 15 });
      assert.deepStrictEqual(
        engine.releases.map((release) => release.handle),
        [1, 2],
      );
    });
  });

  it("clears the command on stop", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t 14ms s",
        texts: { t: "grab the red cup", s: "never mind" },
        frames: "a 9ms b 9ms c 9ms d|",
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe("5ms A 9ms B 15ms |", { A: "a@1", B: "b@1" });
      helpers.flush();
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 15 }]);
    });
  });

  it("keeps an encoding until its inference ends", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t 4ms s",
        texts: { t: "grab the red cup", s: "cancel" },
        frames: "a 19ms b|",
        engine: { groundMs: 10 },
      });
      // The result of the inference already running when the stop arrives is still emitted.
      helpers.expectObservable(tokens).toBe("10ms A 10ms |", { A: "a@1" });
      helpers.flush();
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 10 }]);
    });
  });

  it("ends a command after its lifetime", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        parameters: "p",
        parameterValues: { p: { command_ttl_s: 0.025 } },
        frames: "a 9ms b 9ms c 9ms d 9ms e|",
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe("5ms A 9ms B 9ms C 15ms |", { A: "a@1", B: "b@1", C: "c@1" });
      helpers.flush();
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 30 }]);
    });
  });

  it("grounds once when the lifetime is 0", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        parameters: "p",
        parameterValues: { p: { command_ttl_s: 0 } },
        frames: "a 9ms b 9ms c|",
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe("5ms A 15ms |", { A: "a@1" });
    });
  });

  it("keeps going after bad messages", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const long = "cup ".repeat(200);
      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t 9ms l 9ms e",
        texts: { t: "grab the red cup", l: long, e: "  um  " },
        frames: "a 9ms n 9ms x 9ms b|",
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe("5ms A 4ms (LN) 6ms X 14ms (B|)", {
        A: "a@1",
        L: "rejected:too_long",
        N: "rejected:non_finite_stamp",
        X: "rejected:corrupt_jpeg",
        B: "b@1",
      });
    });
  });

  it("rejects a command whose encoding fails", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t 9ms u",
        texts: { t: "grab the broken cup", u: "grab the red cup" },
        frames: "a 9ms b|",
        engine: { groundMs: 5, failingExpressions: ["the broken cup"] },
      });
      helpers.expectObservable(tokens).toBe("E 14ms (B|)", { E: "rejected:encode_failed", B: "b@2" });
      helpers.flush();
      assert.deepStrictEqual(
        engine.groundCalls.map((call) => call.frame),
        ["b"],
      );
    });
  });

  it("waits for the encoding before grounding", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        frames: "ab-c|",
        engine: { groundMs: 5, encodeMs: 8 },
      });
      helpers.expectObservable(tokens).toBe("-B-D 9ms (C|)", { B: "busy:a", D: "busy:b", C: "c@1" });
    });
  });

  it("applies parameter changes on the next frame", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { events, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        parameters: "p 2ms q",
        parameterValues: {
          p: { policy: "full", latency_budget_ms: 200 },
          q: { policy: "lgmdp", gate_threshold: 0.3, min_score: 0.7, softskip: false, latency_budget_ms: 150 },
        },
        frames: "a 9ms b|",
        engine: { groundMs: 5 },
      });
      const budgets: number[] = [];
      events.subscribe((event) => {
        if (event.kind === "result") {
          budgets.push(event.budgetMs);
        }
      });
      helpers.flush();

      assert.deepStrictEqual(budgets, [200, 150]);
      const [first, second] = engine.groundCalls.map((call) => call.options);
      assert.equal(first.policy, "full");
      assert.equal(first.gateThreshold, 0.5);
      assert.equal(second.policy, "lgmdp");
      assert.equal(second.gateThreshold, 0.3);
      assert.equal(second.minScore, 0.7);
      assert.equal(second.softskip, false);
    });
  });

  it("processes every input in order when not dropping", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "-t--s-u",
        texts: { t: "grab the red cup", s: "stop", u: "the blue cup" },
        frames: "abcdefgh|",
        engine: { groundMs: 10 },
        dropWhileBusy: false,
      });
      helpers.expectObservable(tokens).toBe("11ms B 9ms C 9ms D 9ms G 9ms (H|)", {
        B: "b@1",
        C: "c@1",
        D: "d@1",
        G: "g@2",
        H: "h@2",
      });
      helpers.flush();
      assert.deepStrictEqual(
        engine.groundCalls.map((call) => call.frame),
        ["b", "c", "d", "g", "h"],
      );
    });
  });
});
