// Marks the command-line entry point executable after tsc writes it. npm makes a package's
// bin files executable when it links them, but `npm ci` in this repository links them
// before `prepare` builds dist/, so without this `npx softskip` fails with "Permission denied".
import { chmodSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { bin } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
for (const file of Object.values(bin)) {
  chmodSync(path.join(root, file), 0o755);
}
