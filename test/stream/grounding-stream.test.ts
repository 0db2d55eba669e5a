import assert from "node:assert/strict";

import type { GroundingParameters } from "../../src/params/declarations";
import { TestScheduler } from "rxjs/testing";

import { buildTestStream } from "./harness";

/**
 * One marble character is 1 virtual ms. Results read "<frame>@<command id>", drops
 * "<reason>:<frame>" (see eventToken). Input and expected marbles are aligned by column.
 */
const RED_CUP = { t: "pick up the red cup" };

function createScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));
}

describe("grounding stream", () => {
  it("drops waiting frames while busy", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     a-b-c-------e|";
      const expected = "   ----B-----A---------C---------(E|)";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        frames,
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe(expected, { B: "busy:b", A: "a@1", C: "c@1", E: "e@1" });
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
      const transcripts = "t";
      const frames = "     ab------------------c|";
      const expected = "   ----------(ASN)---------------(C|)";

      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        parameters: "p",
        parameterValues: { p: { max_image_age_ms: 5 } },
        frames,
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1", S: "stale:b", N: "no_image:stale@1", C: "c@1" });
    });
  });

  it("reports no stale frame past the lifetime", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     ab------------------c|";
      const expected = "   ----------A----------|";

      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        parameters: "p",
        parameterValues: { p: { max_image_age_ms: 5, command_ttl_s: 0 } },
        frames,
        engine: { groundMs: 10 },
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1" });
    });
  });

  it("reports no missing frame that arrives at once", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      // The transcript and the frame arrive at the same instant, transcript first.
      const { allTokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        frames: "a|",
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(allTokens).toBe("-----(A|)", { A: "a@1" });
    });
  });

  it("reports a command before any frame", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     ---a|";
      const expected = "   N-------(A|)";

      const { allTokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        frames,
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(allTokens).toBe(expected, { N: "no_image:no_frame@1", A: "a@1" });
    });
  });

  it("ignores frames while no command", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const frames = "     a-b-c|";
      const expected = "   -----|";

      const { tokens, engine } = buildTestStream(scheduler, helpers, { frames, engine: { groundMs: 10 } });
      helpers.expectObservable(tokens).toBe(expected);
      helpers.flush();
      assert.equal(engine.groundCalls.length, 0);
    });
  });

  it("grounds a transcript that precedes the first frame", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     ----------a|";
      const expected = "   ---------------(A|)";

      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        frames,
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1" });
    });
  });

  it("skips frames that precede the command", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "-----t";
      const frames = "     a---------b|";
      const expected = "   ---------------(B|)";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        frames,
        engine: { groundMs: 5 },
      });
      helpers.expectObservable(tokens).toBe(expected, { B: "b@1" });
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
      const transcripts = "t-------u";
      const frames = "     a----b----c----d|";
      const expected = "   ---A----B----C----(D|)";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: { t: "grab the red cup", u: "no, the blue one" },
        frames,
        engine: { groundMs: 3 },
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1", B: "b@1", C: "c@2", D: "d@2" });
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the red cup", "the blue one"]);
      // Frame b's inference still reads encoding 1 when the correction arrives at 8.
      assert.deepStrictEqual(engine.releases, [
        { handle: 1, atMs: 8 },
        { handle: 2, atMs: 18 },
      ]);
    });
  });

  it("reads a correction's \"one\" as the previous command's object", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u--s--v--x--y--w--z",
        texts: {
          t: "grab the red coffee mug",
          u: "no, the blue one",
          s: "stop",
          v: "actually the one left of the bowl",
          x: "huh yeah",
          y: "no, the orange one",
          w: "the green one",
          z: "no, the purple one",
        },
        frames: "------------------------a|",
        engine: { groundMs: 3, objectNouns: ["mug", "coffee mug", "bowl"], unknownExpressions: ["huh yeah"] },
      });
      helpers.expectObservable(tokens).toBe("------------R--------------(A|)", { R: "rejected:no_known_words", A: "a@7" });
      helpers.flush();
      // A correction after a stop still refers to the last command, and a command dropped
      // for naming nothing does not count. A command that is not a correction keeps its
      // "one", which the model reads as any object, and so does a correction of it.
      assert.deepStrictEqual(engine.encodedExpressions, [
        "the red coffee mug",
        "the blue coffee mug",
        "the coffee mug left of the bowl",
        "huh yeah",
        "the orange coffee mug",
        "the green one",
        "the purple one",
      ]);
    });
  });

  it("reads \"one\" in a negated correction as the rejected object", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u--v",
        texts: { t: "grab the bowl", u: "not the red mug, the orange one", v: "not the mug, the blue one" },
        frames: "---------a|",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      helpers.expectObservable(tokens).toBe("----------|");
      helpers.flush();
      // "not the mug" rejects mugs, and "the blue one" names no other kind of object, so
      // the model could pick a mug again: it is a stop.
      assert.deepStrictEqual(engine.encodedExpressions, ["the bowl", "the orange mug"]);
    });
  });

  it("makes plural nouns singular and keeps the command when a transcript only points", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u",
        texts: { t: "grab one of the bowls", u: "pick it up" },
        frames: "------a|",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      helpers.expectObservable(tokens).toBe("---------(A|)", { A: "a@1" });
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the bowl"]);
    });
  });

  it("stops on a correction that only points", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u",
        texts: { t: "grab the bowl", u: "no, that one" },
        frames: "------a|",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      helpers.expectObservable(tokens).toBe("-------|");
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the bowl"]);
    });
  });

  it("reads a command soon after a bare \"no\" as its correction", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u--v--w 5000ms x--y",
        texts: { t: "grab the red mug", u: "no", v: "um", w: "the blue one", x: "sorry", y: "stop" },
        frames: "6000ms |",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      tokens.subscribe();
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the red mug", "the blue mug"]);
    });
  });

  it("lends no noun after a command naming an unknown object", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u--v",
        texts: { t: "grab the red mug", u: "no, the knife", v: "actually the yellow one" },
        frames: "6000ms |",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      tokens.subscribe();
      helpers.flush();
      // The speaker moved from the mug to a knife, so "one" must not reach back to the mug.
      assert.deepStrictEqual(engine.encodedExpressions, ["the red mug", "the knife", "the yellow one"]);
    });
  });

  it("stops a command that follows a bare \"don't\"", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u--v",
        texts: { t: "grab the bowl", u: "don't grab", v: "the red mug" },
        frames: "6000ms |",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      tokens.subscribe();
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the bowl"]);
    });
  });

  it("keeps a command after the pause as a new one", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u 5000ms w",
        texts: { t: "grab the red mug", u: "no", w: "the blue one" },
        frames: "6000ms |",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      tokens.subscribe();
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the red mug", "the blue one"]);
    });
  });

  it("resumes a paused command on \"go ahead\"", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u-----v",
        texts: { t: "grab the red mug", u: "wait", v: "okay, go ahead" },
        frames: "----a-------b|",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      // Frame a comes while paused; b comes after the resume, under a new command id.
      helpers.expectObservable(tokens).toBe("---------------(B|)", { B: "b@2" });
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the red mug", "the red mug"]);
    });
  });

  it("resumes nothing after a stop or a new command", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u--v--w--x--y",
        texts: { t: "grab the red mug", u: "stop", v: "go ahead", w: "hold on", x: "grab the bowl", y: "never mind" },
        frames: "6000ms |",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      tokens.subscribe();
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the red mug", "the bowl"]);
    });
  });

  it("rejects a command for several objects and ends the current one", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u",
        texts: { t: "grab the bowl", u: "grab all the mugs" },
        frames: "------a|",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      helpers.expectObservable(tokens).toBe("---R---|", { R: "rejected:several_objects" });
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the bowl"]);
    });
  });

  it("grounds the object a command keeps and leaves the other out", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u",
        texts: { t: "pick up the bowl but leave the red mug", u: "grab the mug but not the blue one" },
        frames: "-a------b|",
        engine: { groundMs: 1, objectNouns: ["mug", "bowl"] },
      });
      helpers.expectObservable(tokens).toBe("--AR-----|", { A: "a@1", R: "rejected:unfollowable_exclusion" });
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the bowl"]);
    });
  });

  it("drops a command that names no known object", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t--u",
        texts: { t: "grab the bowl", u: "grab the knife" },
        frames: "------a|",
        engine: { groundMs: 3, objectNouns: ["mug", "bowl"] },
      });
      // The rejected text still ends the bowl command: the speaker meant to change it.
      helpers.expectObservable(tokens).toBe("---R---|", { R: "rejected:no_known_object" });
      helpers.flush();
      assert.deepStrictEqual(engine.encodedExpressions, ["the bowl", "the knife"]);
    });
  });

  it("clears the command on stop", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t-------s";
      const frames = "     a----b----c----d|";
      const expected = "   ---A----B-------|";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: { t: "grab the red cup", s: "never mind" },
        frames,
        engine: { groundMs: 3 },
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1", B: "b@1" });
      helpers.flush();
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 8 }]);
    });
  });

  it("keeps an encoding until its inference ends", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t--s";
      const frames = "     a-----------b|";
      const expected = "   ------A------|";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: { t: "grab the red cup", s: "cancel" },
        frames,
        engine: { groundMs: 6 },
      });
      // The result of the inference already running when the stop arrives is still emitted.
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1" });
      helpers.flush();
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 6 }]);
    });
  });

  it("ends a command after its lifetime", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     a----b----c----d----e|";
      const expected = "   ---A----B----C-------|";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        parameters: "p",
        parameterValues: { p: { command_ttl_s: 0.012 } },
        frames,
        engine: { groundMs: 3 },
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1", B: "b@1", C: "c@1" });
      helpers.flush();
      // Frame d arrives 15 ms after the command, past its 12 ms lifetime.
      assert.deepStrictEqual(engine.releases, [{ handle: 1, atMs: 15 }]);
    });
  });

  it("grounds a waiting frame before expiring", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      // b runs from 8 to 14 ms; c waits; d comes 13 ms after the command, past its 12 ms lifetime.
      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        parameters: "p",
        parameterValues: { p: { command_ttl_s: 0.012 } },
        frames: "a-------bc---d----------e|",
        engine: { groundMs: 6 },
      });
      const seen: string[] = [];
      tokens.subscribe((token) => seen.push(`${token} at ${scheduler.now()}`));
      helpers.flush();
      assert.deepStrictEqual(seen, ["a@1 at 6", "b@1 at 14", "c@1 at 20"]);
    });
  });

  it("grounds once when the lifetime is 0", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     a----b----c|";
      const expected = "   ---A-------|";

      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        parameters: "p",
        parameterValues: { p: { command_ttl_s: 0 } },
        frames,
        engine: { groundMs: 3 },
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1" });
    });
  });

  it("keeps going after bad messages", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t----l----e";
      const frames = "     a----n----x----b|";
      const expected = "   ---A-(LN)-X-------(B|)";

      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: { t: "grab the red cup", l: "cup ".repeat(200), e: "  um  " },
        frames,
        engine: { groundMs: 3 },
      });
      helpers.expectObservable(tokens).toBe(expected, {
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
      const transcripts = "t----u";
      const frames = "     a----b|";
      const expected = "   E-------(B|)";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: { t: "grab the broken cup", u: "grab the red cup" },
        frames,
        engine: { groundMs: 3, failingExpressions: ["the broken cup"] },
      });
      helpers.expectObservable(tokens).toBe(expected, { E: "rejected:encode_failed", B: "b@2" });
      helpers.flush();
      assert.deepStrictEqual(
        engine.groundCalls.map((call) => call.frame),
        ["b"],
      );
    });
  });

  it("names the command a failed encoding ends", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { events } = buildTestStream(scheduler, helpers, {
        transcripts: "t-u",
        texts: { t: "grab the broken cup", u: "grab the red cup" },
        frames: "-|",
        engine: { groundMs: 3, failingExpressions: ["the broken cup"] },
      });
      const rejections: unknown[] = [];
      events.subscribe((event) => {
        if (event.kind === "rejected") {
          rejections.push({ transcript: event.transcript, commandId: event.commandId });
        }
      });
      helpers.flush();
      assert.deepStrictEqual(rejections, [{ transcript: "grab the broken cup", commandId: 1 }]);
    });
  });

  it("drops a command of unknown words", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t---n-u";
      const frames = "a----c-b|";
      const expected = "---TE-----(B|)";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: { t: "grab the red cup", n: "xyzzy plugh", u: "grab the blue bowl" },
        frames,
        engine: { groundMs: 3, unknownExpressions: ["xyzzy plugh"] },
      });
      helpers.expectObservable(tokens).toBe(expected, { T: "a@1", E: "rejected:no_known_words", B: "b@3" });
      helpers.flush();
      // Frame c comes after the nonsense, which ended command 1, so nothing grounds it.
      assert.deepStrictEqual(
        engine.groundCalls.map((call) => call.frame),
        ["a", "b"],
      );
      // Command 1 ends when the nonsense replaces it, and the nonsense's own encoding is released at once.
      assert.deepStrictEqual(
        engine.releases.slice(0, 2).map((release) => [release.handle, release.atMs]),
        [
          [1, 4],
          [2, 4],
        ],
      );
    });
  });

  it("waits for the encoding before grounding", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     ab-c|";
      const expected = "   -B-D---------(C|)";

      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        frames,
        engine: { groundMs: 5, encodeMs: 8 },
      });
      helpers.expectObservable(tokens).toBe(expected, { B: "busy:a", D: "busy:b", C: "c@1" });
    });
  });

  it("applies parameter changes on the next frame", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const parameters = "p--q";
      const frames = "    a---------b|";

      const { events, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        parameters,
        parameterValues: {
          p: { policy: "full", latency_budget_ms: 200 },
          q: { policy: "lgmdp", gate_threshold: 0.3, min_score: 0.7, softskip: false, latency_budget_ms: 150 },
        },
        frames,
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
      assert.equal(first.gateThreshold, undefined, "a negative gate_threshold leaves the model threshold");
      assert.equal(second.policy, "lgmdp");
      assert.equal(second.gateThreshold, 0.3);
      assert.equal(second.minScore, 0.7);
      assert.equal(second.softskip, false);
    });
  });

  it("ignores an invalid parameter set", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const { events, engine } = buildTestStream(scheduler, helpers, {
        transcripts: "t",
        texts: RED_CUP,
        parameters: "p--q",
        parameterValues: {
          p: { policy: "full" },
          q: { policy: "fastest" as GroundingParameters["policy"], gate_threshold: 2 },
        },
        frames: "    a---------b|",
        engine: { groundMs: 5 },
      });
      const kinds: string[] = [];
      events.subscribe({ next: (event) => kinds.push(event.kind), error: (error: unknown) => kinds.push(`error: ${String(error)}`) });
      helpers.flush();

      assert.deepStrictEqual(kinds, ["result", "result"]);
      assert.deepStrictEqual(engine.groundCalls.map((call) => call.options.policy), ["full", "full"]);
    });
  });

  it("holds queued frames during encoding", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "t";
      const frames = "     abc|";
      const expected = "   ------A-B-(C|)";

      const { tokens } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: RED_CUP,
        frames,
        engine: { groundMs: 2, encodeMs: 4 },
        dropWhileBusy: false,
      });
      helpers.expectObservable(tokens).toBe(expected, { A: "a@1", B: "b@1", C: "c@1" });
    });
  });

  it("processes every input in order when not dropping", () => {
    const scheduler = createScheduler();
    scheduler.run((helpers) => {
      const transcripts = "-t--s-u";
      const frames = "     abcdefgh|";
      const expected = "   ---B-C-D-G-(H|)";

      const { tokens, engine } = buildTestStream(scheduler, helpers, {
        transcripts,
        texts: { t: "grab the red cup", s: "stop", u: "the blue cup" },
        frames,
        engine: { groundMs: 2 },
        dropWhileBusy: false,
      });
      helpers.expectObservable(tokens).toBe(expected, { B: "b@1", C: "c@1", D: "d@1", G: "g@2", H: "h@2" });
      helpers.flush();
      assert.deepStrictEqual(
        engine.groundCalls.map((call) => call.frame),
        ["b", "c", "d", "g", "h"],
      );
    });
  });
});
