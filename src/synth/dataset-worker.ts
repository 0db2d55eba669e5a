/**
 * Worker thread of the dataset writer: receives scene indices, writes each image and
 * posts back the scene's annotations. Scene generation is JavaScript-heavy, so threads
 * let it use more than one core.
 */
import { parentPort, workerData } from "node:worker_threads";
import sharp from "sharp";
import { describeError } from "../errors";
import { runSceneJob, type SceneJobConfig, type SceneRecord } from "./scene-job";

export type WorkerReply = { index: number; record: SceneRecord } | { index: number; error: string };

const port = parentPort;
if (port === null) {
  throw new Error("dataset-worker.js runs only as a worker thread started by writeDataset.");
}
const config = workerData as SceneJobConfig;
// Threads already render scenes in parallel; one libvips thread per image avoids
// oversubscribing the CPU. The setting is process-wide, and only writeDataset starts these workers.
sharp.concurrency(1);

port.on("message", (index: number) => {
  runSceneJob(config, index).then(
    (record) => port.postMessage({ index, record } satisfies WorkerReply),
    (error: unknown) => port.postMessage({ index, error: `scene ${index}: ${describeError(error)}` } satisfies WorkerReply),
  );
});
