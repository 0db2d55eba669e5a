import assert from "node:assert/strict";

import { silentLogger } from "../../src/log";
import { formatSummary, intersectionOverUnion, percentile, ProgressBar, type ReplaySummary } from "../../src/replay";
import { renderReport } from "../../src/replay/report";

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
  accuracyByCommand: [
    { commandId: 1, transcript: "grab the red mug", expression: "the red mug", correct: 2, samples: 4 },
    { commandId: 2, transcript: "no, the blue one", expression: "the blue mug", correct: 1, samples: 2 },
  ],
  groundTruthTopic: "/softskip/ground_truth",
  unreadable: [{ topic: "/json", reason: "unsupported message encoding", count: 3 }],
  missingFiles: [],
  truncatedFiles: [],
  skippedChunks: [],
  rate: 1,
  policy: "budget",
  latencyBudgetMs: 200,
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
    assert.match(text, /Policy: +budget, rate 1, latency budget 200 ms/);
    assert.match(text, /Frames: +10 received, 6 processed, 2 dropped, 1 rejected, 1 without a command/);
    assert.match(text, /Results: +grounded 5, not_found 1/);
    assert.match(text, /Latency: +p50 80\.0 ms, p90 150\.0 ms, p99 210\.5 ms; 1 over budget/);
    assert.match(text, /Accuracy: +50\.0% of 6 results right \(a found box with IoU >= 0\.5, or "not found" for an absent object\)/);
    assert.match(text, /\n +2 of 4 for "grab the red mug" \("the red mug"\)\n +1 of 2 for "no, the blue one" \("the blue mug"\)\n/);
    assert.match(text, /Unreadable: +3 message\(s\) on \/json: unsupported message encoding/);
  });

  it("lists the bag's data problems", function () {
    const damaged: ReplaySummary = {
      ...SUMMARY,
      missingFiles: ["bag/bag_1.mcap"],
      truncatedFiles: ["bag/bag_2.mcap"],
      skippedChunks: Array.from({ length: 7 }, (_, index) => ({
        file: "bag/bag_0.mcap",
        offset: String(1000 * (index + 1)),
        startNs: index === 0 ? null : "1700000010250000000",
        endNs: index === 0 ? null : "1700000011000000000",
        reason: "Incorrect chunk CRC",
      })),
    };
    const text = formatSummary(damaged);
    assert.match(text, /Missing: +1 bag file\(s\) listed in metadata\.yaml: bag\/bag_1\.mcap/);
    assert.match(text, /Truncated: +bag\/bag_2\.mcap/);
    assert.match(text, /Corrupt: +7 chunk\(s\) in bag\/bag_0\.mcap skipped, their messages not replayed: byte 1000 \(log times unknown\); byte 2000 \(messages logged from 1700000010\.250 s to 1700000011\.000 s\);.* and 2 more/);
    const report = renderReport(damaged, [], []);
    assert.match(report, /<th>Missing<\/th><td>1 bag file/);
    assert.match(report, /<th>Truncated<\/th><td>bag\/bag_2\.mcap/);
    assert.match(report, /<th>Corrupt<\/th><td>7 chunk/);
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

  it("report captions score each command", function () {
    const record = {
      commandId: 1,
      transcript: "grab the red mug",
      expression: "red mug",
      status: "grounded" as const,
      box: { x: 1, y: 2, width: 3, height: 4 },
      score: 0.9,
      stampNs: 1n,
      logTimeNs: 1n,
      endToEndMs: 20,
      budgetMs: 100,
      computeRatio: 1,
    };
    const html = renderReport(SUMMARY, [record], [{ sample: { commandId: 1, image: { kind: "file", path: "x.png" }, result: record }, dataUrl: null }]);
    assert.match(html, /<b>grab the red mug<\/b><br>understood as "red mug"<br>grounded, score 0\.90, box x 1, y 2, 3 x 4<br>right on 2 of 4 frames with ground truth/);
    assert.match(html, /the ground truth dashed in blue/);
  });
});
