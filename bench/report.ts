/**
 * Writing benchmark results: one "## Name" section of docs/benchmarks.md per case,
 * replaced in place so cases can be rerun separately, and one key per case in
 * out/bench.json.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const DOCS_HEADER = `# Benchmarks

Measured numbers from \`npm run bench\`. Each section states its command and machine;
rerunning a case replaces only its own section.
`;

/** Replaces (or appends) the section headed `## title` in a Markdown file. */
export async function writeMarkdownSection(file: string, title: string, body: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    text = DOCS_HEADER;
  }

  const heading = `## ${title}\n`;
  const section = `${heading}\n${body.trim()}\n`;
  const start = text.indexOf(heading);
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const next = text.indexOf("\n## ", start + heading.length);
    text = text.slice(0, start) + section + (next === -1 ? "" : text.slice(next));
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Stores `value` under `key` in a JSON object file, keeping the other keys. */
export async function writeJsonKey(file: string, key: string, value: unknown): Promise<void> {
  let root: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      root = parsed as Record<string, unknown>;
    }
  } catch {
    // A missing or unreadable file starts a new object.
  }
  root[key] = value;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(root, null, 2) + "\n");
}

/** "Intel(R) Xeon(R) ... x 2 cores, Node v20.20.2, linux" for the benchmark record. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? "unknown CPU";
  return `${model} x ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Formats a Markdown table. */
export function markdownTable(columns: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(columns), line(columns.map(() => "---")), ...rows.map(line)].join("\n");
}
