/**
 * @mcap/core 2.2.2 declares only ESM types in its `exports` map, so TypeScript's node16
 * resolution refuses a value import from this CommonJS package, although Node loads the
 * package's CommonJS build (the "require" condition) without trouble. This module loads
 * that build once and re-exports it with the package's own types.
 */
import type * as McapCore from "@mcap/core" with { "resolution-mode": "import" };

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see the file comment
const core = require("@mcap/core") as typeof McapCore;

export const { hasMcapPrefix, McapIndexedReader, McapRecordBuilder, McapStreamReader, McapWriter } = core;
export type McapIndexedReader = McapCore.McapIndexedReader;
export type McapStreamReader = McapCore.McapStreamReader;
export type { IWritable, McapTypes } from "@mcap/core" with { "resolution-mode": "import" };
export type McapWriter = McapCore.McapWriter;
