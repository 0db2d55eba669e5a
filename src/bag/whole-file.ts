import { readFile, stat } from "node:fs/promises";

import { BagError, describeError } from "../errors";

/** fs.readFile's limit: Node.js reads at most 2 GiB - 1 bytes into one Buffer. */
export const MAX_WHOLE_FILE_BYTES = 2 ** 31 - 1;

/** Why a kind of bag file is read whole, and what the user can do when it is too large. */
export interface WholeFileReason {
  /** Follows "FILE is N GiB: ", e.g. "sql.js reads sqlite3 bags from memory". */
  why: string;
  /** The way out for `file`, as a sentence without its full stop. */
  fix: (file: string) => string;
}

/**
 * Reads a bag file that must be held in memory. A file over fs.readFile's limit gets a
 * BagError naming its size and the fix, instead of Node's bare RangeError.
 */
export async function readWholeBagFile(file: string, reason: WholeFileReason): Promise<Buffer> {
  try {
    const { size } = await stat(file);
    if (size > MAX_WHOLE_FILE_BYTES) {
      throw new BagError(
        file,
        `${file} is ${(size / 2 ** 30).toFixed(1)} GiB (${size} bytes): ${reason.why}, and Node.js reads at most 2 GiB into memory at once. ${reason.fix(file)}.`,
      );
    }
    return await readFile(file);
  } catch (error) {
    if (error instanceof BagError) {
      throw error;
    }
    throw new BagError(file, `Cannot read bag file ${file}: ${describeError(error)}.`, { cause: error });
  }
}
