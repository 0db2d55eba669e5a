/**
 * Finds the bag files behind a path: a single .mcap or .db3 file (possibly zstd
 * file-compressed), or a rosbag2 folder whose metadata.yaml lists them in order.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

import { BagError, describeError } from "../errors";
import type { Logger } from "../log";
import { pathExists } from "../path-exists";
import { decompressZstd, hasZstdMagic } from "./compression";
import { BagFileKind, sniffFileKind } from "./sniff";
import { METADATA_FILE, readBagMetadata, type BagMetadata } from "./metadata";
import { readWholeBagFile } from "./whole-file";

export interface BagLayout {
  /** Files that exist, in recording order. */
  files: string[];
  /** Files metadata.yaml lists that are not on disk. */
  missing: string[];
  metadata?: BagMetadata;
}

const BAG_FILE = /\.(mcap|db3)(\.zstd)?$/;

/** Resolves `path` to its bag files; throws BagError for a missing path or a folder that is no bag. */
export async function resolveBagLayout(path: string, logger: Logger): Promise<BagLayout> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new BagError(path, `Bag not found: ${path} (${describeError(error)}); pass an .mcap or .db3 file or a rosbag2 folder containing metadata.yaml.`, { cause: error });
  }

  if (!isDirectory) {
    return { files: [path], missing: [], metadata: await siblingMetadata(path, logger) };
  }

  if (await pathExists(join(path, METADATA_FILE))) {
    const metadata = await readBagMetadata(path, logger);
    const listed = metadata.relativeFilePaths.length > 0 ? metadata.relativeFilePaths : await bagFilesIn(path);
    const files: string[] = [];
    const missing: string[] = [];
    for (const relative of listed) {
      const file = await listedFile(path, relative);
      ((await pathExists(file)) ? files : missing).push(file);
    }
    if (files.length === 0) {
      throw new BagError(path, `None of the bag files that ${join(path, METADATA_FILE)} lists exist (${listed.join(", ") || "it lists none"}); copy the bag folder completely.`);
    }
    return { files, missing, metadata };
  }

  const files = (await bagFilesIn(path)).map((name) => join(path, name));
  if (files.length === 0) {
    throw new BagError(path, `${path} is a folder but not a rosbag2 bag: it has no metadata.yaml and no .mcap or .db3 files.`);
  }
  logger.warn(`${path} has no metadata.yaml; reading its ${files.length} bag files in name order.`);
  return { files, missing: [] };
}

/**
 * Uses the metadata.yaml beside a single file when it lists that file, so a part opened
 * on its own still gets per-message decompression and the recorded topic types.
 */
async function siblingMetadata(file: string, logger: Logger): Promise<BagMetadata | undefined> {
  const folder = dirname(file);
  if (!(await pathExists(join(folder, METADATA_FILE)))) {
    return undefined;
  }
  try {
    const metadata = await readBagMetadata(folder, logger);
    return metadata.relativeFilePaths.includes(basename(file)) ? metadata : undefined;
  } catch (error) {
    logger.warn(`Ignoring ${join(folder, METADATA_FILE)} beside ${file}: ${describeError(error)}`);
    return undefined;
  }
}

/**
 * Returns where a file that metadata.yaml lists is: relative to the bag folder, or else
 * under its file name in the bag folder. Paths that carry folders come from older
 * rosbag2 releases, which wrote the bag folder's name in front, or from bags moved after
 * recording with absolute paths. The first form is returned when neither exists.
 */
async function listedFile(folder: string, listed: string): Promise<string> {
  const file = join(folder, listed);
  if (await pathExists(file)) {
    return file;
  }
  const byName = join(folder, basename(listed));
  return (await pathExists(byName)) ? byName : file;
}

async function bagFilesIn(folder: string): Promise<string[]> {
  const names = await readdir(folder);
  return names.filter((name) => BAG_FILE.test(name)).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

export interface LoadedBagFile {
  kind: BagFileKind;
  /** Contents when they had to be decompressed into memory (rosbag2 FILE mode). */
  contents?: Uint8Array;
}

/**
 * Identifies a bag file by its first bytes. A zstd-compressed file (rosbag2
 * `compression_mode: FILE`) is decompressed into memory and identified by its contents.
 */
export async function loadBagFile(file: string): Promise<LoadedBagFile> {
  const kind = await sniffFileKind(file);
  if (kind !== "zstd") {
    return { kind };
  }

  const decompressFirst = (): string => `Decompress it with "zstd -d ${file}" and replay the result`;
  const compressed = await readWholeBagFile(file, { why: "zstd file-compressed bags are decompressed in memory", fix: decompressFirst });
  let contents: Uint8Array;
  try {
    contents = decompressZstd(compressed);
  } catch (error) {
    if (error instanceof RangeError) {
      // The output outgrew what one ArrayBuffer can contain, so the data is too large, not corrupt.
      throw new BagError(file, `${file} decompresses to more than Node.js can hold in memory at once (${describeError(error)}). ${decompressFirst()}.`, { cause: error });
    }
    throw new BagError(file, `${file} is a zstd file-compressed bag whose data is corrupt (${describeError(error)}); decompress it with "zstd -d" to check.`, { cause: error });
  }
  if (hasZstdMagic(contents)) {
    throw new BagError(file, `${file} is compressed twice with zstd; decompress it with "zstd -d" first.`);
  }
  // sniffFileKind throws BagError naming the file when the contents are no bag.
  return { kind: sniffFileKind(file, contents), contents };
}
