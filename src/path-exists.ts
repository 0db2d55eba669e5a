import { access } from "node:fs/promises";

/** Resolves whether `path` exists and is reachable; a permission error counts as absent. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
