/**
 * The `--report` page: one self-contained HTML file (inline SVG plots, base64 JPEG
 * thumbnails, no scripts or external resources) that opens in any browser.
 */
import { writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";

import { accuracyText, dataProblems } from "./summary-text";
import type { Thumbnail } from "./thumbnails";
import type { ReplaySummary, ResultRecord } from "./types";

const PLOT_WIDTH = 760;
const PLOT_HEIGHT = 220;
const MARGIN = { left: 56, right: 16, top: 16, bottom: 36 };

interface Series {
  label: string;
  color: string;
  points: { x: number; y: number }[];
  /** Draw as a dashed line (a limit rather than a measurement). */
  dashed?: boolean;
}

/** Writes the report to `path`, creating its folder. */
export async function writeReport(path: string, summary: ReplaySummary, results: readonly ResultRecord[], thumbnails: readonly Thumbnail[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderReport(summary, results, thumbnails), "utf8");
}

export function renderReport(summary: ReplaySummary, results: readonly ResultRecord[], thumbnails: readonly Thumbnail[]): string {
  const startNs = results.length > 0 ? results.reduce((min, result) => (result.logTimeNs < min ? result.logTimeNs : min), results[0].logTimeNs) : 0n;
  const seconds = (result: ResultRecord): number => Number(result.logTimeNs - startNs) / 1e9;

  const latencyPlot = svgPlot("End-to-end latency and budget (ms) over bag time (s)", [
    { label: "latency", color: "#1565c0", points: results.map((result) => ({ x: seconds(result), y: result.endToEndMs })) },
    { label: "budget", color: "#c62828", dashed: true, points: results.map((result) => ({ x: seconds(result), y: result.budgetMs })) },
  ]);
  const computePlot = svgPlot("Compute ratio (executed FLOPs / full model) over bag time (s)", [
    { label: "compute ratio", color: "#2e7d32", points: results.map((result) => ({ x: seconds(result), y: result.computeRatio })) },
  ], 1);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SoftSkip replay: ${escapeHtml(summary.bag)}</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #212121; max-width: 1100px; }
table { border-collapse: collapse; margin-bottom: 16px; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.thumbs { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; width: 320px; }
figcaption { font-size: 13px; }
.missing { width: 320px; height: 60px; background: #eee; display: flex; align-items: center; justify-content: center; }
</style>
</head>
<body>
<h1>SoftSkip replay</h1>
${summaryTable(summary)}
<h2>Commands</h2>
${thumbnails.length === 0 ? "<p>No command produced a result.</p>" : `${truthLegend(summary)}<div class="thumbs">${thumbnails.map((thumbnail) => thumbnailFigure(thumbnail, summary)).join("\n")}</div>`}
<h2>Latency</h2>
${latencyPlot}
<h2>Compute</h2>
${computePlot}
</body>
</html>
`;
}

function summaryTable(summary: ReplaySummary): string {
  const frames = summary.frames;
  const percent = (value: number | null): string => (value === null ? "n/a" : `${(value * 100).toFixed(1)}%`);
  const ms = (value: number | null): string => (value === null ? "n/a" : `${value.toFixed(1)} ms`);
  const counts = (value: Record<string, number>): string =>
    Object.entries(value)
      .map(([key, count]) => `${key}: ${count}`)
      .join(", ") || "none";
  const rows: [string, string][] = [
    ["Bag", summary.bag],
    ["Output bag", summary.output ?? "none"],
    ["Images / transcripts", `${summary.imageTopic} / ${summary.transcriptTopic ?? "command line"}`],
    ["Policy, rate, latency budget", `${summary.policy}, ${summary.rate}, ${summary.latencyBudgetMs} ms`],
    ["Messages read", String(summary.messages)],
    ["Frames", `${frames.received} received, ${frames.processed} processed, ${frames.dropped} dropped, ${frames.rejected} rejected, ${frames.idle} without a command`],
    ["Commands", String(summary.commands)],
    ["Results", counts(summary.results)],
    ["Rejected", counts(summary.rejected)],
    ["Latency p50 / p90 / p99", `${ms(summary.latencyMs.p50)} / ${ms(summary.latencyMs.p90)} / ${ms(summary.latencyMs.p99)}`],
    ["Over budget", String(summary.overBudget)],
    ["Mean compute ratio", percent(summary.computeRatio)],
    ["Accuracy", accuracyText(summary)],
    ["Wall time", `${summary.wallTimeS.toFixed(1)} s`],
    ...dataProblems(summary),
  ];
  return `<table>${rows.map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`).join("")}</table>`;
}

function truthLegend(summary: ReplaySummary): string {
  if (summary.accuracyByCommand.length === 0) {
    return "";
  }
  return "<p>One frame per command: the result's box in green (orange when not found), the ground truth dashed in blue. Each caption scores all of the command's results against the ground truth.</p>";
}

function thumbnailFigure(thumbnail: Thumbnail, summary: ReplaySummary): string {
  const result = thumbnail.sample.result;
  const image = thumbnail.dataUrl === null ? `<div class="missing">image not decodable</div>` : `<img src="${thumbnail.dataUrl}" width="320" alt="">`;
  const box = result.box === null ? "no box" : `box x ${result.box.x.toFixed(0)}, y ${result.box.y.toFixed(0)}, ${result.box.width.toFixed(0)} x ${result.box.height.toFixed(0)}`;
  const scored = summary.accuracyByCommand.find((entry) => entry.commandId === thumbnail.sample.commandId);
  const verdict = scored === undefined ? "" : `<br>right on ${scored.correct} of ${scored.samples} frames with ground truth`;
  const understood = result.expression === result.transcript ? "" : `<br>understood as "${escapeHtml(result.expression)}"`;
  return `<figure>${image}<figcaption><b>${escapeHtml(result.transcript)}</b>${understood}<br>${escapeHtml(result.status)}, score ${result.score.toFixed(2)}, ${escapeHtml(box)}${verdict}</figcaption></figure>`;
}

/**
 * Renders a line plot with axes and a legend as inline SVG, or a placeholder without points.
 * The y axis spans 0 to `fixedMaxY`, or to 110% of the largest value when it is not given.
 */
export function svgPlot(title: string, series: readonly Series[], fixedMaxY?: number): string {
  const all = series.flatMap((entry) => entry.points).filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y));
  if (all.length === 0) {
    return `<p>${escapeHtml(title)}: no results to plot.</p>`;
  }
  const minX = Math.min(...all.map((point) => point.x));
  const maxX = Math.max(...all.map((point) => point.x), minX + 1e-9);
  const maxY = fixedMaxY ?? (Math.max(...all.map((point) => point.y)) * 1.1 || 1);
  const innerWidth = PLOT_WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = PLOT_HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - minX) / (maxX - minX)) * innerWidth;
  const py = (y: number): number => MARGIN.top + innerHeight - (y / maxY) * innerHeight;

  const lines = series.flatMap((entry) =>
    splitAtGaps(entry.points).map((segment) => {
      const dash = entry.dashed === true ? ` stroke-dasharray="6 4"` : "";
      if (segment.length === 1) {
        return `<circle cx="${px(segment[0].x).toFixed(1)}" cy="${py(segment[0].y).toFixed(1)}" r="2" fill="${entry.color}"/>`;
      }
      const points = segment.map((point) => `${px(point.x).toFixed(1)},${py(point.y).toFixed(1)}`).join(" ");
      return `<polyline fill="none" stroke="${entry.color}" stroke-width="1.5"${dash} points="${points}"/>`;
    }),
  );
  const legend = series.map((entry, index) => `<text x="${MARGIN.left + 10 + index * 140}" y="${MARGIN.top + 12}" fill="${entry.color}" font-size="12">${escapeHtml(entry.label)}</text>`);
  const axes = [
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + innerHeight}" x2="${MARGIN.left + innerWidth}" y2="${MARGIN.top + innerHeight}" stroke="#555"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + innerHeight}" stroke="#555"/>`,
    `<text x="${MARGIN.left}" y="${PLOT_HEIGHT - 8}" font-size="11">${minX.toFixed(1)}</text>`,
    `<text x="${MARGIN.left + innerWidth}" y="${PLOT_HEIGHT - 8}" font-size="11" text-anchor="end">${maxX.toFixed(1)}</text>`,
    `<text x="${MARGIN.left - 6}" y="${MARGIN.top + 10}" font-size="11" text-anchor="end">${formatTick(maxY)}</text>`,
    `<text x="${MARGIN.left - 6}" y="${MARGIN.top + innerHeight}" font-size="11" text-anchor="end">0</text>`,
  ];
  return `<figure style="width:${PLOT_WIDTH}px"><svg xmlns="http://www.w3.org/2000/svg" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${axes.join("")}${lines.join("")}${legend.join("")}</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}

/**
 * Splits a series where results pause (no command active), so the plot shows a gap
 * instead of a straight line across it. A pause is a step over three times the median
 * step and over half a second.
 */
function splitAtGaps(points: readonly { x: number; y: number }[]): { x: number; y: number }[][] {
  const steps = points.slice(1).map((point, index) => point.x - points[index].x).sort((a, b) => a - b);
  const medianStep = steps.length > 0 ? steps[Math.floor(steps.length / 2)] : 0;
  const segments: { x: number; y: number }[][] = [];
  let current: { x: number; y: number }[] = [];
  for (const point of points) {
    const previous = current[current.length - 1];
    if (previous !== undefined && point.x - previous.x > Math.max(3 * medianStep, 0.5)) {
      segments.push(current);
      current = [];
    }
    current.push(point);
  }
  if (current.length > 0) {
    segments.push(current);
  }
  return segments;
}

function formatTick(value: number): string {
  return value >= 10 ? value.toFixed(0) : value.toFixed(2);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
