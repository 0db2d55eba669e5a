/**
 * One complete scene: layout, the annotation of every visible object, its split and its
 * referring expressions. Pure and deterministic: the same seed and index always give the
 * same scene, whatever order scenes are generated in.
 */
import { categoryInfo, isHeldOut, type CategoryName, type ColorName } from "./catalog";
import { describeAbsent, describeTarget } from "./expressions";
import { Random } from "./random";
import { layoutScene, type SceneLayout } from "./scene";
import type { Description, ObjectFacts, SceneFacts } from "./semantics";
import { speak } from "./speech";
import { describe, kindsOf } from "./wording";

export const SPLITS = ["train", "val", "test", "test-novel"] as const;
export type Split = (typeof SPLITS)[number];

/** Share of scenes in each split, in order; they sum to 1. */
export const SPLIT_SHARES: Readonly<Record<Split, number>> = { train: 0.75, val: 0.1, test: 0.1, "test-novel": 0.05 };

/** Share of refs in train, val and test whose referent is absent. */
export const ABSENT_SHARE = 0.1;

/** Stream keys, so that each use of randomness has its own independent generator. */
const STREAM = { split: 1, layout: 2, refs: 3, noise: 4 } as const;

export interface AnnotatedObject {
  category: CategoryName;
  color: ColorName;
  /** Visible box in image pixels. */
  bbox: [number, number, number, number];
  /** Visible pixels. */
  area: number;
  /** Longer side of the object's silhouette box in its own frame (before rotation), in pixels. */
  size: number;
}

export interface GeneratedRef {
  /** Index into the scene's objects, or -1 when the referent is absent. */
  target: number;
  category: CategoryName;
  absent: boolean;
  kinds: string[];
  description: Description;
  sent: string;
  raw: string;
}

export interface GeneratedScene {
  index: number;
  split: Split;
  layout: SceneLayout;
  objects: AnnotatedObject[];
  refs: GeneratedRef[];
  /** Seed of the noise generator used when rendering. */
  noiseSeed: number;
}

export interface SceneOptions {
  seed: number;
  width: number;
  height: number;
}

/** Split of scene `index`, drawn from its own stream so that it never depends on other scenes. */
export function splitOf(seed: number, index: number): Split {
  let draw = Random.derive(seed, index, STREAM.split).next();
  for (const split of SPLITS) {
    draw -= SPLIT_SHARES[split];
    if (draw < 0) {
      return split;
    }
  }
  return "train";
}

/** Facts the expression semantics read, from the layout measured under its camera. */
export function sceneFacts(layout: SceneLayout): { facts: SceneFacts; objects: AnnotatedObject[] } {
  const visibility = layout.visibility;
  const objects: AnnotatedObject[] = [];
  const factList: ObjectFacts[] = [];
  layout.objects.forEach((object, index) => {
    const seen = visibility[index];
    const box = seen?.box;
    if (seen === undefined || box === null || box === undefined) {
      throw new Error(`Object ${index} of the layout is not visible; layoutScene must have removed it.`);
    }
    const bbox: [number, number, number, number] = [box.left, box.top, box.right - box.left, box.bottom - box.top];
    objects.push({ category: object.category, color: object.color, bbox, area: seen.visibleArea, size: Math.round(object.extent * 100) / 100 });
    factList.push({ category: object.category, color: object.color, x: bbox[0], y: bbox[1], width: bbox[2], height: bbox[3], area: seen.fullArea });
  });
  return { facts: { width: layout.width, height: layout.height, objects: factList }, objects };
}

/**
 * Refs to draw for one scene. Train scenes get about three times as many as the
 * evaluation splits: the backbone runs once per scene in training, so each extra
 * expression is cheap supervision for the language side. The draw consumes the same
 * random numbers on every split, so val and test do not change with the train count.
 */
function refCount(random: Random, split: Split): number {
  const scale = split === "train" ? 3 : 1;
  const base = random.weighted([
    [2, 0.25],
    [3, 0.5],
    [4, 0.25],
  ] as const);
  return base * scale;
}

function generateRefs(random: Random, facts: SceneFacts, split: Split): GeneratedRef[] {
  const novel = split === "test-novel";
  const count = refCount(random, split);
  const targets = novel
    ? facts.objects.flatMap((object, index) => (isHeldOut(object.color, object.category) ? [index] : []))
    : random.shuffle(facts.objects.map((_, index) => index));
  const refs: GeneratedRef[] = [];
  const sentences = new Set<string>();

  for (let attempt = 0; refs.length < count && attempt < count * 3; attempt++) {
    let description: Description | null;
    let target = -1;
    let category: CategoryName;
    if (!novel && random.chance(ABSENT_SHARE)) {
      const absent = describeAbsent(random, facts);
      if (absent === null) {
        continue;
      }
      description = absent.description;
      category = absent.category;
    } else {
      target = targets[attempt % Math.max(1, targets.length)] ?? -1;
      if (target < 0) {
        break;
      }
      description = describeTarget(random, facts, target, { requireColor: novel });
      category = (facts.objects[target] as ObjectFacts).category;
    }
    if (description === null) {
      continue;
    }
    const sent = describe(random, description);
    if (sentences.has(sent)) {
      continue;
    }
    sentences.add(sent);
    refs.push({ target, category, absent: target < 0, kinds: kindsOf(description), description, sent, raw: speak(random, sent) });
  }
  return refs;
}

/** Generates scene `index` of the run; retries with fresh draws until the scene has usable refs. */
export function generateScene(options: SceneOptions, index: number): GeneratedScene {
  const split = splitOf(options.seed, index);
  const novel = split === "test-novel";
  for (let attempt = 0; ; attempt++) {
    const layoutRandom = Random.derive(options.seed, index, STREAM.layout, attempt);
    const layout = layoutScene(layoutRandom, { width: options.width, height: options.height, novel });
    if (layout.objects.length < 2 && attempt < 20) {
      continue;
    }
    if (novel && !layout.objects.some((object) => isHeldOut(object.color, object.category)) && attempt < 20) {
      continue;
    }
    const { facts, objects } = sceneFacts(layout);
    const refs = generateRefs(Random.derive(options.seed, index, STREAM.refs, attempt), facts, split);
    if (refs.length === 0 && attempt < 20) {
      continue;
    }
    return { index, split, layout, objects, refs, noiseSeed: Random.derive(options.seed, index, STREAM.noise, attempt).next() * 2 ** 32 };
  }
}

/** Category id as written in the dataset. */
export function categoryId(category: CategoryName): number {
  return categoryInfo(category).id;
}
