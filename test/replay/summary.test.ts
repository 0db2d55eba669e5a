import assert from "node:assert/strict";

import { silentLogger } from "../../src/log";
import { formatSummary, intersectionOverUnion, percentile, ProgressBar, type ReplaySummary } from "../../src/replay";

/** Creates a stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { written: string[] } {
  const written: string[] = [];
  return { isTTY, written, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream & { written: string[] };
}

const SUMMARY: ReplaySummary = {
  bag: "session.mcap",
  output: null,
  messages: 12,
  imageTopic: "/camera/image_raw",
  transcriptTopic: "/transcript",
  frames: { received: 10, processed: 6, dropped: 2, rejected: 1, idle: 1 },
  rejected: { size_mismatch: 1 },
  commands: 2,
  results: { grounded: 5, not_found: 1 },
  latencyMs: { p50: 80, p90: 150, p99: 210.5 },
  computeRatio: 0.55,
  overBudget: 1,
  accuracy: 0.5,
  accuracySamples: 6,
  groundTruthTopic: "/softskip/ground_truth",
  unreadable: [{ topic: "/json", reason: "unsupported message encoding", count: 3 }],
  missingFiles: [],
  truncatedFiles: [],
  rate: 1,
  policy: "budget",
  wallTimeS: 2.5,
};

describe("replay: summary and progress", function () {
  it("percentile uses the nearest rank", function () {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(sorted, 50), 5);
    assert.equal(percentile(sorted, 90), 9);
    assert.equal(percentile(sorted, 99), 10);
    assert.equal(percentile([], 50), null);
  });

  it("intersection over union of boxes", function () {
    const box = { x: 0, y: 0, width: 10, height: 10 };
    assert.equal(intersectionOverUnion(box, box), 1);
    assert.equal(intersectionOverUnion(box, { x: 5, y: 0, width: 10, height: 10 }), 50 / 150);
    assert.equal(intersectionOverUnion(box, { x: 10, y: 10, width: 5, height: 5 }), 0);
  });

  it("formats the human summary", function () {
    const text = formatSummary(SUMMARY);
    assert.match(text, /Frames: +10 received, 6 processed, 2 dropped, 1 rejected, 1 without a command/);
    assert.match(text, /Results: +grounded 5, not_found 1/);
    assert.match(text, /Latency: +p50 80\.0 ms, p90 150\.0 ms, p99 210\.5 ms; 1 over budget/);
    assert.match(text, /Accuracy: +50\.0% of 6 results \(IoU >= 0\.5\)/);
    assert.match(text, /Unreadable: +3 message\(s\) on \/json: unsupported message encoding/);
  });

  it("progress bar draws only on a terminal", function () {
    const pipe = fakeStream(false);
    new ProgressBar(pipe).update(1, 2);
    assert.deepEqual(pipe.written, []);

    const terminal = fakeStream(true);
    const bar = new ProgressBar(terminal);
    bar.update(2, 2);
    assert.match(terminal.written[0], /\r\[#+\] 100% 2\/2 messages/);
    bar.wrapLogger(silentLogger).info("a log line");
    assert.equal(terminal.written[1], "\r\x1b[K", "a log line clears the bar first");
  });
});
