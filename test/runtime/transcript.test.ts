import assert from "node:assert/strict";

import { InputError } from "../../src/errors";
import { MAX_TRANSCRIPT_LENGTH, noExpressionReason, parseTranscript } from "../../src/runtime/transcript";

describe("parseTranscript", () => {
  const commands: Array<[string, string, boolean]> = [
    ["the red cup", "the red cup", false],
    ["Grab the small blue mug left of the bowl.", "the small blue mug left of the bowl", false],
    ["Um, could you grab the the 2nd red cup, please?", "the second red cup", false],
    ["uh pick up the green bowl", "the green bowl", false],
    ["Could you please hand me the knife thanks", "the knife", false],
    ["hand me the spoon", "the spoon", false],
    ["give me the big plate", "the big plate", false],
    ["find the 3rd bottle from the left", "the third bottle from the left", false],
    ["point at the banana", "the banana", false],
    ["Where is the yellow mug?", "the yellow mug", false],
    ["where's the yellow mug", "the yellow mug", false],
    ["I want the 2 apples", "the two apples", false],
    ["please   the   apple", "the apple", false],
    ["pick the red cup up", "the red cup", false],
    ["okay robot, erm, get me the tallest bottle", "the tallest bottle", false],
    ["the cup\u2019s handle", "the cup's handle", false],
    ["the 25 cups", "the 25 cups", false],
    ["grab the caf\u00e9 cup", "the cafe cup", false],
    ["No, the blue one", "the blue one", true],
    ["no no the blue one", "the blue one", true],
    ["Sorry, I mean the plate on the right", "the plate on the right", true],
    ["actually grab the bowl", "the bowl", true],
    ["not that one, the left cup", "the left cup", true],
    ["what about the knife", "the knife", true],
    ["No wait, the blue one", "the blue one", true],
    ["never mind, the blue one", "the blue one", true],
    ["stop, the red mug", "the red mug", true],
    ["cancel that, get the red mug", "the red mug", true],
    ["cancel that and grab the blue bowl", "the blue bowl", true],
    ["wrong one, the blue one", "the blue one", true],
    ["okay robot, grab the cup", "the cup", false],
    // Chatty and polite phrasings people use with a robot.
    ["would you mind grabbing the red mug", "the red mug", false],
    ["I'd like you to pick up the blue cup", "the blue cup", false],
    ["could you grab me the red mug", "the red mug", false],
    ["go ahead and grab the mug", "the mug", false],
    ["let's take the bowl", "the bowl", false],
    ["can I have the apple please", "the apple", false],
    ["no problem, grab the bowl", "the bowl", false],
    ["no problem grab the bowl", "the bowl", false],
    ["yeah, the blue bowl", "the blue bowl", false],
    ["show me where the mug is", "the mug", false],
    ["put the mug down", "the mug", false],
    ["bring the bowl over here", "the bowl", false],
    ["bring the mug to me", "the mug", false],
    ["the red mug please thank you so much", "the red mug", false],
    // After a placing verb the last place phrase is the destination.
    ["put the apple in the bowl", "the apple", false],
    ["could you put the blue cup into the box please", "the blue cup", false],
    ["move the cup on the left to the plate", "the cup on the left", false],
    ["put the mug next to the bowl", "the mug", false],
    ["put the mug down on the table", "the mug", false],
    // "back" after the object belongs to the verb; after "the" it is a position.
    ["bring the mug back", "the mug", false],
    ["give me the red mug back please", "the red mug", false],
    ["put the cup back on the shelf", "the cup", false],
    ["grab the mug at the back", "the mug at the back", false],
    ["grab the mug in the back on the left", "the mug in the back on the left", false],
    ["oops, the blue one", "the blue one", true],
    ["oh no, the blue one", "the blue one", true],
    ["the mug all the way on the left", "the mug on the left", false],
    // Greetings, hedges and wordier leads before a request.
    ["hello robot, grab the mug", "the mug", false],
    ["good morning could you grab the mug", "the mug", false],
    ["maybe grab the mug", "the mug", false],
    ["would you be so kind as to pass the book", "the book", false],
    ["go ahead with the red mug", "the red mug", false],
    ["reach for the mug", "the mug", false],
    ["can you see the banana", "the banana", false],
    // Adverbs, hedges and sequence words around a request.
    ["grab the mug right now", "the mug", false],
    ["grab the bowl too", "the bowl", false],
    ["just grab the mug", "the mug", false],
    ["gently grab the mug", "the mug", false],
    ["first grab the mug", "the mug", false],
    ["right, the blue mug", "the blue mug", false],
    ["i see, grab the red mug", "the red mug", false],
    ["do you mind grabbing the mug", "the mug", false],
    ["sorry to bother you but can you grab the mug", "the mug", false],
    ["grab the red mug please and thanks", "the red mug", false],
    ["i said the blue mug", "the blue mug", true],
    ["scratch that the bowl", "the bowl", true],
    // A last clause about how to handle the object names no other object.
    ["grab the bottle but don't drop it", "the bottle", false],
    // Corrections without punctuation.
    ["the blue one instead", "the blue one", true],
    ["scratch that grab the bowl", "the bowl", true],
    ["never mind, grab the red mug", "the red mug", true],
    ["nah the green mug", "the green mug", true],
    ["correction the blue mug", "the blue mug", true],
  ];

  for (const [text, expression, isCorrection] of commands) {
    it(`extracts ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "command", expression, isCorrection });
    });
  }

  const stops = [
    "stop",
    "Stop!",
    "cancel",
    "never mind",
    "Nevermind.",
    "please stop",
    "cancel that",
    "no, never mind",
    "forget it thanks",
    "um stop",
    "leave it",
    "don't grab the red mug",
    "please do not take the cup",
    "not the red mug",
    "not the red mug, not the blue one",
    "cancel the red mug",
    "never mind the red mug",
    "stop grabbing the red mug",
    "no, leave the red mug alone",
    "not now, the red can",
    "sorry, my mistake, never mind",
    "not the red mug the orange one",
    "the mug, stop",
    "grab the bowl, never mind",
    // Forbidding an object, and taking the request back without punctuation.
    "avoid the red mug",
    "skip the red mug",
    "hands off the red mug",
    "keep away from the bowl",
    "refrain from touching the red can",
    "stay clear of the mug",
    // A word between "don't" and the verb still forbids the object.
    "don't you dare grab the mug",
    "don't ever grab the mug",
    "dont you grab the mug",
    "not yet grab the mug",
    // Warnings, stops at the end, and requests put off.
    "careful the mug is hot",
    "freeze",
    "the mug stop it",
    "grab the mug later",
    "grab the mug in a minute",
    "grab the mug on second thought",
    "the red mug scratch that",
    "that's it",
  ];
  for (const text of stops) {
    it(`stops on ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "stop" });
    });
  }

  for (const text of ["no", "Sorry.", "nope", "that's wrong", "wrong one", "no, actually"]) {
    it(`stops on ${JSON.stringify(text)} and expects a correction`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "stop", expectsCorrection: true });
    });
  }

  const pauses = ["hold on", "wait a second", "one moment please", "hang on", "hold up", "pause", "wait a minute", "the red mug hold on", "grab the bowl wait", "grab the mug one second"];
  for (const text of pauses) {
    it(`pauses on ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "stop", pause: true });
    });
  }

  it("pauses on \"wait\" and expects a correction", () => {
    assert.deepEqual(parseTranscript("wait"), { kind: "stop", expectsCorrection: true, pause: true });
  });

  for (const text of ["go ahead", "Okay, go ahead.", "you can continue now", "carry on please", "resume"]) {
    it(`resumes on ${JSON.stringify(text)}`, () => {
      const parsed = parseTranscript(text);
      assert.deepEqual(parsed, { kind: "resume" });
      assert.match(noExpressionReason(text, { kind: "resume" }), /asks to resume an earlier command and names no object/);
    });
  }

  it("keeps a command that starts with a resume phrase", () => {
    assert.deepEqual(parseTranscript("go ahead and grab the mug"), { kind: "command", expression: "the mug", isCorrection: false });
  });

  const exclusions: Array<[string, string, string]> = [
    ["pick up the red can but leave the green cup", "the red can", "the green cup"],
    ["grab the bowl and leave the mug alone", "the bowl", "the mug"],
    ["the apple but don't touch the plate", "the apple", "the plate"],
    ["take the box but not the blue one", "the box", "the blue one"],
    ["any mug except the blue one", "any mug", "the blue one"],
    ["the bowl other than the yellow one", "the bowl", "the yellow one"],
  ];
  for (const [text, expression, excluded] of exclusions) {
    it(`reads ${JSON.stringify(text)} as a command that leaves ${JSON.stringify(excluded)} out`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "command", expression, isCorrection: false, excluded });
    });
  }

  for (const text of ["no, don't", "don't grab", "do not"]) {
    it(`stops on ${JSON.stringify(text)} and forbids the next command`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "stop", forbidsNext: true });
    });
  }

  for (const text of ["the red can is hot", "is there a red can?", "did you pick up the red can", "thanks for the red can", "where should I put the mug", "where did the mug go", "i like the red mug"]) {
    it(`takes ${JSON.stringify(text)} as no request`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "empty", question: true });
    });
  }

  const negations: Array<[string, string, string]> = [
    ["not the red mug, the orange one", "the orange one", "the red mug"],
    ["No, not the black mug, the yellow one", "the yellow one", "the black mug"],
    ["not the gray bowl but the red one", "the red one", "the gray bowl"],
    ["not the cup, grab the bowl please", "the bowl", "the cup"],
    ["not the red mug. The orange one", "the orange one", "the red mug"],
    ["don't take the cup, take the bowl", "the bowl", "the cup"],
    // A self-repair inside one utterance keeps what follows the last correction mark.
    ["the apple, no wait, the plate", "the plate", "the apple"],
    ["grab the red mug, I mean the blue one", "the blue one", "the red mug"],
    ["the red mug sorry the blue one", "the blue one", "the red mug"],
    ["the red mug actually the blue one", "the blue one", "the red mug"],
    ["the mug, never mind, the bowl", "the bowl", "the mug"],
    ["rather than the red mug, the box", "the box", "the red mug"],
    ["instead of the red mug take the box", "the box", "the red mug"],
    ["the bowl instead of the mug", "the bowl", "the mug"],
    ["the bowl rather than the mug", "the bowl", "the mug"],
  ];
  for (const [text, expression, rejected] of negations) {
    it(`reads ${JSON.stringify(text)} as a correction`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "command", expression, isCorrection: true, rejected });
    });
  }

  const negated = [
    "the bowl that is not yellow",
    "anything but the yellow bowl",
    "the bowl, not the yellow one",
    "the non yellow bowl",
    "no, the other one",
    "a different mug",
    "the red mug is off limits",
    "none of the boxes",
    "no red mug",
    "no need for the bowl",
    "nope, wrong mug",
  ];
  for (const text of negated) {
    it(`stops on the negation ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "stop", negation: true });
    });
  }

  const empties = ["", "   ", "uh um", "...", "please", "could you grab", "thanks", "yes", "no problem", "all good"];
  for (const text of empties) {
    it(`finds nothing in ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "empty" });
    });
  }

  for (const text of ["pick it up", "grab that one", "this one please", "the ones"]) {
    it(`finds only pointing in ${JSON.stringify(text)}`, () => {
      const parsed = parseTranscript(text);
      assert.deepEqual(parsed, { kind: "empty", pointing: true });
      assert.match(noExpressionReason(text, { kind: "empty", pointing: true }), /points at an object \("it", "that one"\) without naming it/);
    });
  }

  for (const text of ["no, that one", "not this one, that one"]) {
    it(`stops on the pointing correction ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTranscript(text), { kind: "stop", pointing: true });
    });
  }

  it("rejects text over the maximum length", () => {
    const text = "the red cup ".repeat(50);
    assert.ok(text.length > MAX_TRANSCRIPT_LENGTH);
    assert.throws(
      () => parseTranscript(text, "/transcript"),
      (error: unknown) =>
        error instanceof InputError &&
        error.reason === "too_long" &&
        error.source === "/transcript" &&
        /\/transcript is 600 characters long; the maximum is 500/.test(error.message),
    );
  });

  it("accepts text at the maximum length", () => {
    const text = "a".repeat(MAX_TRANSCRIPT_LENGTH);
    assert.equal(parseTranscript(text).kind, "command");
  });

  it("rejects a value that is not a string", () => {
    assert.throws(
      // A JSON message may carry any type; the cast reproduces that at runtime.
      () => parseTranscript(42 as unknown as string),
      (error: unknown) => error instanceof InputError && error.reason === "not_text" && /received number/.test(error.message),
    );
  });
});
