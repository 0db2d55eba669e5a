import { strict as assert } from "node:assert";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(__dirname, "../../..");

interface BuildScript {
  WAT_PATH: string;
  MODULE_PATH: string;
  moduleSource(watText: string): Promise<string>;
}

describe("image/wasm module", () => {
  it("matches the compiled bilinear.wat", async () => {
    const script = (await import(pathToFileURL(path.join(ROOT, "scripts/build-wasm.mjs")).href)) as BuildScript;
    const expected = await script.moduleSource(await readFile(script.WAT_PATH, "utf8"));
    assert.equal(await readFile(script.MODULE_PATH, "utf8"), expected, "the module is stale: run `npm run build:wasm`");
  });
});
