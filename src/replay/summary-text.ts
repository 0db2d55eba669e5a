/** The human-readable replay summary printed when `--json` is not given. */
import { loggedText } from "../bag";
import type { ReplaySummary } from "./types";

function formatMs(value: number | null): string {
  return value === null ? "n/a" : `${value.toFixed(1)} ms`;
}

function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "none" : entries.map(([key, count]) => `${key} ${count}`).join(", ");
}

export function formatSummary(summary: ReplaySummary): string {
  const frames = summary.frames;
  const lines = [
    `Bag:          ${summary.bag} (${summary.messages} messages read)`,
    `Topics:       images ${summary.imageTopic}, transcripts ${summary.transcriptTopic ?? "from --command or --commands"}`,
    `Output:       ${summary.output ?? "none (pass --out to write one)"}`,
    `Policy:       ${summary.policy}, rate ${summary.rate}, latency budget ${summary.latencyBudgetMs} ms`,
    `Frames:       ${frames.received} received, ${frames.processed} processed, ${frames.dropped} dropped, ${frames.rejected} rejected, ${frames.idle} without a command`,
    `Commands:     ${summary.commands}`,
    `Results:      ${formatCounts(summary.results)}`,
    `Rejected:     ${formatCounts(summary.rejected)}`,
    `Latency:      p50 ${formatMs(summary.latencyMs.p50)}, p90 ${formatMs(summary.latencyMs.p90)}, p99 ${formatMs(summary.latencyMs.p99)}; ${summary.overBudget} over budget`,
    `Compute:      ${summary.computeRatio === null ? "n/a" : `${(summary.computeRatio * 100).toFixed(1)}% of the full model's FLOPs`}`,
    `Accuracy:     ${accuracyText(summary)}`,
    ...summary.accuracyByCommand.map((entry) => `              ${entry.correct} of ${entry.samples} for ${JSON.stringify(entry.transcript)} (${JSON.stringify(entry.expression)})`),
    `Wall time:    ${summary.wallTimeS.toFixed(1)} s`,
  ];
  for (const [label, text] of dataProblems(summary)) {
    lines.push(`${`${label}:`.padEnd(14)}${text}`);
  }
  return lines.join("\n");
}

function toBigInt(value: string | null): bigint | undefined {
  return value === null ? undefined : BigInt(value);
}

/** Corrupt chunks listed one by one in the summary; more are only counted. */
const LISTED_CHUNKS = 5;

/**
 * Returns what the bag lacked or could not give, as [label, text] pairs, so that the text
 * summary and the HTML report both explain why messages are missing.
 */
export function dataProblems(summary: ReplaySummary): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  for (const entry of summary.unreadable) {
    problems.push(["Unreadable", `${entry.count} message(s) on ${entry.topic}: ${entry.reason}`]);
  }
  if (summary.missingFiles.length > 0) {
    problems.push(["Missing", `${summary.missingFiles.length} bag file(s) listed in metadata.yaml: ${summary.missingFiles.join(", ")}`]);
  }
  if (summary.truncatedFiles.length > 0) {
    problems.push(["Truncated", `${summary.truncatedFiles.join(", ")} (cut short; its complete messages were replayed)`]);
  }
  if (summary.skippedChunks.length > 0) {
    const files = [...new Set(summary.skippedChunks.map((chunk) => chunk.file))];
    const listed = summary.skippedChunks
      .slice(0, LISTED_CHUNKS)
      .map((chunk) => `byte ${chunk.offset} (${loggedText({ startNs: toBigInt(chunk.startNs), endNs: toBigInt(chunk.endNs) })})`);
    const more = summary.skippedChunks.length > LISTED_CHUNKS ? ` and ${summary.skippedChunks.length - LISTED_CHUNKS} more` : "";
    problems.push(["Corrupt", `${summary.skippedChunks.length} chunk(s) in ${files.join(", ")} skipped, their messages not replayed: ${listed.join("; ")}${more}`]);
  }
  return problems;
}

/** Describes the accuracy line of a replay summary, saying why it is missing when it is. */
export function accuracyText(summary: ReplaySummary): string {
  if (summary.accuracy !== null) {
    return `${(summary.accuracy * 100).toFixed(1)}% of ${summary.accuracySamples} results right (a found box with IoU >= 0.5, or "not found" for an absent object)`;
  }
  return summary.groundTruthTopic === null ? "n/a (no ground truth in the bag)" : "n/a (the bag's ground truth is for other commands)";
}
