import assert from "node:assert/strict";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { openBag } from "../../src/bag";
import { BagError } from "../../src/errors";
import { makeTempDir } from "./helpers";

/** Sparse files: the size is what matters, and a sparse file costs no disk space. */
const SIZE = 3 * 2 ** 30;

function sparseFile(path: string, header: Uint8Array): void {
  writeFileSync(path, header);
  truncateSync(path, SIZE);
}

async function rejection(path: string): Promise<string> {
  try {
    const bag = await openBag(path);
    await bag.close();
  } catch (error) {
    assert.ok(error instanceof BagError, `expected a BagError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`${path} opened`);
}

describe("bag: files too large to read into memory", function () {
  const temp = makeTempDir("large");
  after(() => temp.remove());

  it("suggests MCAP for a 3 GiB sqlite3 file", async function () {
    const path = join(temp.dir, "big.db3");
    sparseFile(path, Buffer.from("SQLite format 3\0", "latin1"));
    const message = await rejection(path);
    assert.match(message, /big\.db3 is 3\.0 GiB \(3221225472 bytes\): sql\.js reads sqlite3 bags from memory/);
    assert.match(message, /ros2 bag convert .*storage_id: mcap/);
  });

  it("suggests mcap recover for a 3 GiB MCAP file without an index", async function () {
    const path = join(temp.dir, "big.mcap");
    sparseFile(path, Uint8Array.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]));
    const message = await rejection(path);
    assert.match(message, /big\.mcap is 3\.0 GiB \(3221225472 bytes\): it has no usable MCAP index/);
    assert.ok(message.includes(`mcap recover ${path} -o FIXED.mcap`), message);
  });

  it("suggests zstd -d for a 3 GiB zstd file-compressed bag", async function () {
    const path = join(temp.dir, "big.mcap.zstd");
    sparseFile(path, Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd]));
    const message = await rejection(path);
    assert.match(message, /big\.mcap\.zstd is 3\.0 GiB \(3221225472 bytes\): zstd file-compressed bags are decompressed in memory/);
    assert.ok(message.includes(`zstd -d ${path}`), message);
  });
});
