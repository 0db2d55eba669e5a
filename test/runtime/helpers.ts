import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Repository root (this file runs as dist/test/runtime/helpers.js). */
export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const TINY_MODEL_DIR = path.join(REPO_ROOT, "test/runtime/fixtures/tiny-model");
export const SHIPPED_MODEL_DIR = path.join(REPO_ROOT, "models/lgmdp-tabletop");

/** Copies the tiny model into a fresh temporary directory and returns the copy's path. */
export async function copyTinyModel(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "softskip-runtime-"));
  await cp(TINY_MODEL_DIR, dir, { recursive: true });
  return dir;
}

/** Rewrites `dir/manifest.json` through `edit`. */
export async function editManifest(dir: string, edit: (manifest: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, "manifest.json");
  const manifest = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  edit(manifest);
  await writeFile(file, JSON.stringify(manifest));
}

/** Skips the current test or hook and writes the reason to stderr, because mocha's skip takes no reason. */
export function skipBecause(context: Mocha.Context, reason: string): never {
  process.stderr.write(`      skipped: ${reason}\n`);
  context.skip();
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
