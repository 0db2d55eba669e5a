/**
 * Minimal MCAP reading for tests of messages and image decoding: all messages of a small
 * file with their channel and schema. Bag reading proper lives in src/bag.
 */
import { open } from "node:fs/promises";
import { existsSync } from "node:fs";
import * as path from "node:path";

import { FileHandleReadable } from "@mcap/nodejs";
import { decompress as decompressZstd } from "fzstd";
import { REAL_BAGS } from "../real-bags-dir";

// @mcap/core 2.x declares only ES module types but also ships a CommonJS build, which
// `require` loads; the types are taken from the ES module declarations.
type McapCore = typeof import("@mcap/core", { with: { "resolution-mode": "import" } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { McapIndexedReader } = require("@mcap/core") as McapCore;

/** Repository root, from dist/test/msgs once compiled. */
export const REPO_ROOT = path.resolve(__dirname, "../../..");
export { REAL_BAGS };

export interface FixtureMessage {
  topic: string;
  schemaName: string;
  schemaEncoding: string;
  schemaText: string;
  data: Uint8Array;
}

/** Returns the path of a file under the real-bags folder, or undefined when it is absent. */
export function realBagFile(relative: string): string | undefined {
  const file = path.join(REAL_BAGS, relative);
  return existsSync(file) ? file : undefined;
}

export async function readMcapMessages(file: string): Promise<FixtureMessage[]> {
  const handle = await open(file, "r");
  try {
    const reader = await McapIndexedReader.Initialize({
      readable: new FileHandleReadable(handle),
      decompressHandlers: { zstd: (data, size) => decompressZstd(data, new Uint8Array(Number(size))) },
    });
    const messages: FixtureMessage[] = [];
    for await (const message of reader.readMessages()) {
      const channel = reader.channelsById.get(message.channelId);
      const schema = channel === undefined ? undefined : reader.schemasById.get(channel.schemaId);
      messages.push({
        topic: channel?.topic ?? "",
        schemaName: schema?.name ?? "",
        schemaEncoding: schema?.encoding ?? "",
        schemaText: schema === undefined ? "" : new TextDecoder().decode(schema.data),
        data: message.data,
      });
    }
    return messages;
  } finally {
    await handle.close();
  }
}
