/**
 * Writes a RefCOCO-style dataset (instances.json, refs.json, images/NNNNNN.jpg) of
 * generated scenes. Scenes render concurrently, but every id and file depends only on the
 * seed and the scene index, so the same options always give the same bytes.
 */
import { mkdir, readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { ArgumentError } from "../errors";
import { checkRange } from "./range-check";
import type { Logger } from "../log";
import { CATEGORIES, HELD_OUT_PAIRS } from "./catalog";
import type { WorkerReply } from "./dataset-worker";
import { ABSENT_SHARE, categoryId, SPLIT_SHARES, SPLITS, type Split } from "./generator";
import { imageFileName, runSceneJob, type SceneJobConfig, type SceneRecord } from "./scene-job";

export { imageFileName };

/** Bumped whenever the same seed starts giving different scenes. */
export const GENERATOR_VERSION = "1.0.0";

export interface DatasetOptions {
  /** Output folder; created if missing, existing files of the same names are replaced. */
  out: string;
  /** Number of scenes (images), at least 1. */
  scenes: number;
  /** Image size in pixels, each 32..4096. */
  width: number;
  height: number;
  /** Unsigned 32-bit run seed. */
  seed: number;
  /** JPEG quality 1..100; default 90. */
  quality?: number;
  /** Worker threads; 0 renders in the calling thread. Default 2. */
  threads?: number;
  /** Scenes in flight per thread, so that JavaScript work overlaps rendering; default 2. */
  perThread?: number;
  /** Called after each finished scene with the count done so far. */
  onProgress?: (done: number) => void;
  logger: Logger;
}

export interface DatasetSummary {
  out: string;
  images: number;
  annotations: number;
  refs: number;
  absentRefs: number;
  refsPerSplit: Record<Split, number>;
  imagesPerSplit: Record<Split, number>;
  seconds: number;
  scenesPerSecond: number;
}

/** Rejects options the generator cannot honour, naming the option and the accepted range. */
export function validateDatasetOptions(options: DatasetOptions): void {
  if (options.out.trim() === "") {
    throw new ArgumentError("The output folder is empty; pass --out DIR.");
  }
  checkRange("--scenes", options.scenes, 1, 10_000_000, true);
  checkRange("--width", options.width, 32, 4096, true);
  checkRange("--height", options.height, 32, 4096, true);
  checkRange("--seed", options.seed, 0, 2 ** 32 - 1, true);
  checkRange("--quality", options.quality ?? 90, 1, 100, true);
  checkRange("--threads", options.threads ?? 2, 0, 64, true);
  checkRange("perThread", options.perThread ?? 2, 1, 16, true);
}

/**
 * Throws ArgumentError when `imagesDir` already contains files, because a smaller dataset
 * written over a larger one would leave images that no annotation lists.
 */
async function rejectExistingImages(imagesDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(imagesDir);
  } catch {
    return;
  }
  if (entries.length > 0) {
    throw new ArgumentError(
      `--out ${path.dirname(imagesDir)} already contains a dataset (${entries.length} files in images/); pass a new or empty folder, or delete this one first.`,
    );
  }
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, JSON.stringify(value));
  await rename(temporary, file);
}

/** Generates and writes the dataset; resolves with counts and the measured rate. */
export async function writeDataset(options: DatasetOptions): Promise<DatasetSummary> {
  validateDatasetOptions(options);
  const { out, scenes, width, height, seed, logger } = options;
  const imagesDir = path.join(out, "images");
  await rejectExistingImages(imagesDir);
  await mkdir(imagesDir, { recursive: true });

  const started = process.hrtime.bigint();
  const config: SceneJobConfig = { seed, width, height, quality: options.quality ?? 90, imagesDir };
  const progressEvery = Math.max(100, Math.round(scenes / 20));
  const onDone = (done: number): void => {
    options.onProgress?.(done);
    if (done % progressEvery === 0) {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      logger.info(`${done}/${scenes} scenes, ${(done / elapsed).toFixed(1)} scenes/s`);
    }
  };
  const threads = options.threads ?? 2;
  const perThread = options.perThread ?? 2;
  const records = threads === 0 ? await renderInProcess(config, scenes, perThread, onDone) : await renderInWorkers(config, scenes, threads, perThread, onDone);

  const { instances, refs, summary } = buildAnnotations(records, options);
  await writeJsonAtomically(path.join(out, "instances.json"), instances);
  await writeJsonAtomically(path.join(out, "refs.json"), refs);

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { out, ...summary, seconds, scenesPerSecond: scenes / seconds };
}

async function renderInProcess(config: SceneJobConfig, scenes: number, inFlight: number, onDone: (done: number) => void): Promise<SceneRecord[]> {
  const records: SceneRecord[] = new Array(scenes);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < scenes) {
      const index = next++;
      records[index] = await runSceneJob(config, index);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, scenes) }, () => lane()));
  return records;
}

/** Hands scene indices to `threads` workers, keeping `perThread` in flight on each. */
function renderInWorkers(config: SceneJobConfig, scenes: number, threads: number, perThread: number, onDone: (done: number) => void): Promise<SceneRecord[]> {
  const records: SceneRecord[] = new Array(scenes);
  const workerFile = path.join(__dirname, "dataset-worker.js");
  const workers = Array.from({ length: Math.min(threads, scenes) }, () => new Worker(workerFile, { workerData: config }));
  let next = 0;
  let done = 0;

  return new Promise<SceneRecord[]>((resolve, reject) => {
    let failed = false;
    const stopAll = (): void => {
      for (const worker of workers) {
        void worker.terminate();
      }
    };
    const fail = (error: Error): void => {
      if (!failed) {
        failed = true;
        stopAll();
        reject(error);
      }
    };
    const feed = (worker: Worker): void => {
      if (next < scenes) {
        worker.postMessage(next++);
      }
    };
    for (const worker of workers) {
      worker.on("message", (reply: WorkerReply) => {
        if ("error" in reply) {
          fail(new Error(`Rendering failed in a worker thread: ${reply.error}`));
          return;
        }
        records[reply.index] = reply.record;
        done++;
        onDone(done);
        if (done === scenes) {
          stopAll();
          resolve(records);
          return;
        }
        feed(worker);
      });
      worker.on("error", (error) => fail(error));
      worker.on("exit", (code) => {
        if (done < scenes && code !== 0) {
          fail(new Error(`A dataset worker thread exited with code ${code} after ${done} of ${scenes} scenes.`));
        }
      });
      for (let slot = 0; slot < perThread; slot++) {
        feed(worker);
      }
    }
  });
}

function emptyCounts(): Record<Split, number> {
  return { train: 0, val: 0, test: 0, "test-novel": 0 };
}

/** Builds the COCO instances and the refs list; ids follow scene order, so they are stable. */
function buildAnnotations(records: readonly SceneRecord[], options: DatasetOptions) {
  const images: object[] = [];
  const annotations: object[] = [];
  const refs: object[] = [];
  const refsPerSplit = emptyCounts();
  const imagesPerSplit = emptyCounts();
  let absentRefs = 0;

  records.forEach((record, imageId) => {
    images.push({ id: imageId, file_name: imageFileName(imageId), width: options.width, height: options.height, split: record.split });
    imagesPerSplit[record.split]++;
    const annotationIds = record.objects.map((object) => {
      const id = annotations.length + 1;
      annotations.push({ id, image_id: imageId, category_id: categoryId(object.category), bbox: object.bbox, area: object.area, iscrowd: 0, color: object.color, size: object.size });
      return id;
    });
    for (const ref of record.refs) {
      const refId = refs.length;
      refs.push({
        ref_id: refId,
        image_id: imageId,
        file_name: imageFileName(imageId),
        ann_id: ref.absent ? -1 : annotationIds[ref.target],
        category_id: categoryId(ref.category),
        split: record.split,
        absent: ref.absent,
        kinds: ref.kinds,
        sent_ids: [refId],
        sentences: [{ sent_id: refId, sent: ref.sent, raw: ref.raw, tokens: ref.sent.split(" ") }],
      });
      refsPerSplit[record.split]++;
      if (ref.absent) {
        absentRefs++;
      }
    }
  });

  const info = {
    description: "SoftSkip procedural tabletop scenes",
    generator: "softskip synth dataset",
    version: GENERATOR_VERSION,
    seed: options.seed,
    width: options.width,
    height: options.height,
    quality: options.quality ?? 90,
    counts: { images: images.length, annotations: annotations.length, refs: refs.length, absent_refs: absentRefs, images_per_split: imagesPerSplit, refs_per_split: refsPerSplit },
    split_shares: SPLIT_SHARES,
    absent_share: ABSENT_SHARE,
    held_out_pairs: HELD_OUT_PAIRS.map(([color, category]) => ({ color, category })),
    splits: SPLITS,
  };
  const categories = CATEGORIES.map((category) => ({ id: category.id, name: category.name, synonyms: category.nouns.slice(1) }));
  return {
    instances: { info, images, annotations, categories },
    refs,
    summary: { images: images.length, annotations: annotations.length, refs: refs.length, absentRefs, refsPerSplit, imagesPerSplit },
  };
}
