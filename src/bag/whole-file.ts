import { readFile, stat } from "node:fs/promises";

import { BagError, describeError } from "../errors";

/** fs.readFile's limit: Node.js reads at most 2 GiB - 1 bytes into one Buffer. */
export const MAX_WHOLE_FILE_BYTES = 2 ** 31 - 1;

/** The reason a kind of bag file is read whole, and the user's way out when it is too large. */
export interface WholeFileReason {
  /** Follows "FILE is N GiB: ", e.g. "sql.js reads sqlite3 bags from memory". */
  why: string;
  /** The way out for `file`, as a sentence without its full stop. */
  fix: (file: string) => string;
}

/**
 * Builds the error for a bag of `bytes` bytes that is too large to hold in memory.
 * `subject` completes "FILE ... N GiB", such as "is" or "decompresses to".
 */
export function tooLargeBagError(file: string, bytes: number, reason: WholeFileReason, subject = "is"): BagError {
  return new BagError(
    file,
    `${file} ${subject} ${(bytes / 2 ** 30).toFixed(1)} GiB (${bytes} bytes): ${reason.why}, and Node.js reads at most 2 GiB into memory at once. ${reason.fix(file)}.`,
  );
}

/**
 * Reads a bag file that must be held in memory. A file over fs.readFile's limit gets a
 * BagError naming its size and the fix, instead of Node's bare RangeError.
 */
export async function readWholeBagFile(file: string, reason: WholeFileReason): Promise<Buffer> {
  try {
    const { size } = await stat(file);
    if (size > MAX_WHOLE_FILE_BYTES) {
      throw tooLargeBagError(file, size, reason);
    }
    return await readFile(file);
  } catch (error) {
    if (error instanceof BagError) {
      throw error;
    }
    throw new BagError(file, `Cannot read bag file ${file}: ${describeError(error)}.`, { cause: error });
  }
}
