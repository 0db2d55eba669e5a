import assert from "node:assert/strict";

import { boundingBoxFromBox, GROUNDING_STATUS, type GroundingResult } from "../../src/msgs";
import { ReplayStatistics } from "../../src/replay/statistics";
import type { ResultRecord } from "../../src/replay/types";

const BOX = { x: 10, y: 10, width: 20, height: 20 };

function truth(transcript: string): GroundingResult {
  return {
    header: { stamp: { sec: 1, nanosec: 0 }, frame_id: "" },
    transcript,
    expression: "",
    status: GROUNDING_STATUS.GROUNDED,
    bbox: boundingBoxFromBox(BOX),
    score: 1,
    executed_blocks: [],
    compute_ratio: 0,
    latency_ms: 0,
    budget_ms: 0,
    policy: "ground_truth",
    command_id: 1,
  };
}

function result(transcript: string): ResultRecord {
  return {
    commandId: 1,
    transcript,
    expression: transcript,
    status: "grounded",
    box: BOX,
    score: 0.9,
    stampNs: 1_000_000_000n,
    logTimeNs: 1_000_000_000n,
    endToEndMs: 10,
    budgetMs: 100,
    computeRatio: 1,
  };
}

describe("replay accuracy", () => {
  it("scores a result of the truth's transcript", () => {
    const statistics = new ReplayStatistics();
    statistics.groundTruth.set("1000000000", truth("grab the red mug"));
    statistics.results.push(result("grab the red mug"));
    assert.deepEqual(statistics.accuracy(), { accuracy: 1, samples: 1 });
  });

  it("skips a result of another transcript", () => {
    const statistics = new ReplayStatistics();
    statistics.groundTruth.set("1000000000", truth("grab the red mug"));
    statistics.results.push(result("the blue bowl"));
    assert.deepEqual(statistics.accuracy(), { accuracy: null, samples: 0 });
  });

  it("scores any result against a truth without transcript", () => {
    const statistics = new ReplayStatistics();
    statistics.groundTruth.set("1000000000", truth(""));
    statistics.results.push(result("the blue bowl"));
    assert.deepEqual(statistics.accuracy(), { accuracy: 1, samples: 1 });
  });

  it("scores each command apart", () => {
    const statistics = new ReplayStatistics();
    statistics.groundTruth.set("1000000000", truth(""));
    statistics.groundTruth.set("2000000000", truth(""));
    const missed = { ...result("the blue bowl"), commandId: 2, stampNs: 2_000_000_000n, box: { x: 100, y: 100, width: 5, height: 5 } };
    statistics.results.push(result("grab the red mug"), { ...result("the blue bowl"), commandId: 2 }, missed);
    assert.deepEqual(statistics.accuracyByCommand(), [
      { commandId: 1, transcript: "grab the red mug", expression: "grab the red mug", correct: 1, samples: 1 },
      { commandId: 2, transcript: "the blue bowl", expression: "the blue bowl", correct: 1, samples: 2 },
    ]);
  });

  it("gives the truth box of a judged result", () => {
    const statistics = new ReplayStatistics();
    statistics.groundTruth.set("1000000000", truth(""));
    assert.deepEqual(statistics.truthBox(result("the cup")), BOX);
    assert.equal(statistics.truthBox({ ...result("the cup"), stampNs: 5n }), undefined);
  });
});
