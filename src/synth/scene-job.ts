/** Generates, renders and writes one dataset scene; shared by the worker threads and the in-process path. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { generateScene, type AnnotatedObject, type GeneratedRef, type Split } from "./generator";
import { Random } from "./random";
import { renderScene } from "./render";

export interface SceneJobConfig {
  seed: number;
  width: number;
  height: number;
  quality: number;
  imagesDir: string;
}

/** Annotations of one scene, kept in memory once its image is on disk. */
export interface SceneRecord {
  split: Split;
  objects: AnnotatedObject[];
  refs: GeneratedRef[];
}

export function imageFileName(index: number): string {
  return `${String(index).padStart(6, "0")}.jpg`;
}

export async function runSceneJob(config: SceneJobConfig, index: number): Promise<SceneRecord> {
  const scene = generateScene({ seed: config.seed, width: config.width, height: config.height }, index);
  const jpeg = await renderScene(scene.layout, new Random(scene.noiseSeed), { format: "jpeg", quality: config.quality });
  await writeFile(path.join(config.imagesDir, imageFileName(index)), jpeg);
  return { split: scene.split, objects: scene.objects, refs: scene.refs };
}
