import assert from "node:assert/strict";

import { DIAGNOSTIC_LEVEL } from "../../src/msgs";
import { GroundingDiagnostics } from "../../src/ros/diagnostics";
import type { DiagnosticsContext } from "../../src/ros/diagnostics";
import type { GroundingEvent } from "../../src/stream/types";
import { makeOutput } from "../stream/fake-engine";

const CONTEXT: DiagnosticsContext = {
  nodeName: "/softskip_grounding",
  stamp: { sec: 1, nanosec: 0 },
  lifecycleState: "active",
  modelName: "fake-model",
  policy: "budget",
  latencyBudgetMs: 20,
};

function result(endToEndMs: number, floorEndToEndMs?: number): GroundingEvent {
  return {
    kind: "result",
    header: { stamp: { sec: 1, nanosec: 0 }, frame_id: "camera" },
    command: { id: 1, transcript: "the red cup", expression: "the red cup" },
    output: makeOutput({ policy: "budget", budgetMs: 10 }, 9, 8),
    endToEndMs,
    budgetMs: 20,
    ...(floorEndToEndMs === undefined ? {} : { floorEndToEndMs }),
  };
}

function statusOf(diagnostics: GroundingDiagnostics): { level: number; message: string; values: Map<string, string> } {
  const status = diagnostics.snapshot(CONTEXT).status[0];
  return { level: status.level, message: status.message, values: new Map(status.values.map((entry) => [entry.key, entry.value])) };
}

describe("ros/GroundingDiagnostics", () => {
  it("names the floor when it misses the budget", () => {
    const diagnostics = new GroundingDiagnostics();
    for (let i = 0; i < 10; i++) {
      diagnostics.recordEvent(result(25, 23.5));
    }
    const status = statusOf(diagnostics);
    assert.equal(status.level, DIAGNOSTIC_LEVEL.WARN);
    assert.equal(status.message, "p90 latency 25.0 ms is over the 20 ms budget; even the fewest blocks take about 23.5 ms here");
    assert.equal(status.values.get("fewest blocks end to end ms"), "23.500");
  });

  it("keeps the plain warning otherwise", () => {
    const diagnostics = new GroundingDiagnostics();
    for (let i = 0; i < 10; i++) {
      diagnostics.recordEvent(result(25, 12));
    }
    assert.equal(statusOf(diagnostics).message, "p90 latency 25.0 ms is over the 20 ms budget");
  });

  it("shows the model budget in force", () => {
    const diagnostics = new GroundingDiagnostics();
    diagnostics.recordEvent(result(5));
    assert.equal(statusOf(diagnostics).values.get("model budget in force ms"), "10");
  });

  it("reports a stopped stream as an error", () => {
    const status = new GroundingDiagnostics().snapshot({ ...CONTEXT, streamError: "worker exited" }).status[0];
    assert.equal(status.level, DIAGNOSTIC_LEVEL.ERROR);
    assert.match(status.message, /^grounding stopped: worker exited/);
  });

  it("clears an old latency warning", () => {
    let nowMs = 0;
    const diagnostics = new GroundingDiagnostics(() => nowMs);
    for (let i = 0; i < 10; i++) {
      diagnostics.recordEvent(result(25, 12));
    }
    nowMs = 1_000;
    assert.equal(statusOf(diagnostics).level, DIAGNOSTIC_LEVEL.WARN);
    nowMs = 31_000;
    const status = statusOf(diagnostics);
    assert.equal(status.level, DIAGNOSTIC_LEVEL.OK);
    assert.equal(status.values.get("latency p90 ms"), "n/a");
  });

  it("shows n/a without a floor", () => {
    const diagnostics = new GroundingDiagnostics();
    diagnostics.recordEvent(result(5));
    const status = statusOf(diagnostics);
    assert.equal(status.level, DIAGNOSTIC_LEVEL.OK);
    assert.equal(status.values.get("fewest blocks end to end ms"), "n/a");
  });
});
