/**
 * Meaning of referring expressions over a scene. The generator builds a `Description`
 * and keeps it only if `resolve` finds exactly the intended object, or nothing for an
 * absent referent. Tests call the same `resolve` to check every stored ref.
 *
 * Spatial words are three-valued: an object is clearly left of another, clearly not, or
 * in between. An expression is accepted only when no object falls in between, so no
 * reasonable listener could pick a different object.
 */
import type { CategoryName, ColorName } from "./catalog";

/** Facts about one visible object, in image pixels. */
export interface ObjectFacts {
  category: CategoryName;
  color: ColorName;
  /** Visible box: left, top, width, height. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Pixels the object covers with nothing in front of it; "big" and "small" compare this. */
  area: number;
}

export interface SceneFacts {
  width: number;
  height: number;
  objects: readonly ObjectFacts[];
}

export interface Head {
  /** Null for "the red one" or "the biggest thing". */
  category: CategoryName | null;
  color: ColorName | null;
}

export const RELATION_KINDS = ["left_of", "right_of", "behind", "in_front_of", "next_to", "between"] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

export type Selector =
  | { kind: "size"; value: "small" | "big" }
  | { kind: "position"; value: "left" | "right" | "front" | "back" | "middle" }
  | { kind: "ordinal"; rank: 1 | 2 | 3; from: "left" | "right" }
  | { kind: "superlative"; value: "biggest" | "smallest" | "leftmost" | "rightmost" | "closest" | "farthest" };

export interface Description {
  head: Head;
  /** `anchors` has two heads for "between" and one otherwise; each must name exactly one object. */
  relation?: { kind: RelationKind; anchors: Head[] };
  selector?: Selector;
}

export type Resolution = { status: "unique"; index: number } | { status: "none" } | { status: "ambiguous" };

type Truth = "yes" | "no" | "unsure";

/** "big" and "small" need at least this ratio of areas between the referent and every other candidate. */
export const SIZE_RATIO = 1.7;

const centerX = (o: ObjectFacts): number => o.x + o.width / 2;
const centerY = (o: ObjectFacts): number => o.y + o.height / 2;
const bottom = (o: ObjectFacts): number => o.y + o.height;

/** Smallest horizontal distance between centres that counts as "further left". */
function horizontalMargin(scene: SceneFacts, a: ObjectFacts, b: ObjectFacts): number {
  return 0.04 * scene.width + 0.15 * ((a.width + b.width) / 2);
}

/** Smallest difference of box bottoms that counts as "closer to the camera". */
function depthMargin(scene: SceneFacts, a: ObjectFacts, b: ObjectFacts): number {
  return 0.04 * scene.height + 0.15 * ((a.height + b.height) / 2);
}

export function matchesHead(object: ObjectFacts, head: Head): boolean {
  return (head.category === null || object.category === head.category) && (head.color === null || object.color === head.color);
}

function sideways(target: ObjectFacts, anchor: ObjectFacts, sign: 1 | -1): Truth {
  const dx = (centerX(target) - centerX(anchor)) * sign;
  const dy = Math.abs(centerY(target) - centerY(anchor));
  const separation = 0.35 * (target.width + anchor.width);
  if (dx <= 0 || dy > 2 * dx) {
    return "no";
  }
  return dx >= separation && dy <= 0.8 * dx ? "yes" : "unsure";
}

function depthwise(target: ObjectFacts, anchor: ObjectFacts, sign: 1 | -1, scene: SceneFacts): Truth {
  // sign 1: target in front of (below in the image); -1: behind.
  const dz = (bottom(target) - bottom(anchor)) * sign;
  const dx = Math.abs(centerX(target) - centerX(anchor));
  const widest = Math.max(target.width, anchor.width);
  if (dz <= 0 || dx > 1.6 * widest) {
    return "no";
  }
  return dz >= depthMargin(scene, target, anchor) && dx <= 0.8 * widest ? "yes" : "unsure";
}

function nextTo(target: ObjectFacts, anchor: ObjectFacts): Truth {
  const gapX = Math.max(0, Math.max(target.x, anchor.x) - Math.min(target.x + target.width, anchor.x + anchor.width));
  const gapY = Math.max(0, Math.max(target.y, anchor.y) - Math.min(target.y + target.height, anchor.y + anchor.height));
  const gap = Math.hypot(gapX, gapY);
  const reference = (Math.max(target.width, target.height) + Math.max(anchor.width, anchor.height)) / 2;
  if (gap <= 0.3 * reference) {
    return "yes";
  }
  return gap >= 0.9 * reference ? "no" : "unsure";
}

function between(target: ObjectFacts, first: ObjectFacts, second: ObjectFacts): Truth {
  const low = Math.min(centerX(first), centerX(second));
  const high = Math.max(centerX(first), centerX(second));
  const cx = centerX(target);
  const cy = centerY(target);
  const top = Math.min(first.y, second.y);
  const floor = Math.max(bottom(first), bottom(second));
  if (cx <= low || cx >= high || cy < top - 1.5 * target.height || cy > floor + 1.5 * target.height) {
    return "no";
  }
  const margin = 0.15 * (high - low);
  const inside = cx > low + margin && cx < high - margin && cy >= top - 0.5 * target.height && cy <= floor + 0.5 * target.height;
  return inside && high - low >= 1.5 * target.width ? "yes" : "unsure";
}

/** Truth of "target <kind> anchors" in image terms: left is image left, front is image bottom. */
export function relationTruth(kind: RelationKind, target: ObjectFacts, anchors: readonly ObjectFacts[], scene: SceneFacts): Truth {
  const [first, second] = anchors;
  if (first === undefined || (kind === "between" && second === undefined)) {
    throw new RangeError(`Relation ${kind} needs ${kind === "between" ? 2 : 1} anchors but received ${anchors.length}.`);
  }
  switch (kind) {
    case "left_of":
      return sideways(target, first, -1);
    case "right_of":
      return sideways(target, first, 1);
    case "behind":
      return depthwise(target, first, -1, scene);
    case "in_front_of":
      return depthwise(target, first, 1, scene);
    case "next_to":
      return nextTo(target, first);
    case "between":
      return between(target, first, second as ObjectFacts);
  }
}

/** Index of the only object matching `head`, or null when there are none or several. */
export function uniqueMatch(scene: SceneFacts, head: Head): number | null {
  const matches = scene.objects.flatMap((object, index) => (matchesHead(object, head) ? [index] : []));
  return matches.length === 1 ? (matches[0] as number) : null;
}

/** Finds the candidate that beats every other by `margin` on `key` (larger wins); null if none does. */
function clearMaximum(scene: SceneFacts, candidates: readonly number[], key: (o: ObjectFacts) => number, margin: (a: ObjectFacts, b: ObjectFacts) => number): number | null {
  const sorted = candidates.slice().sort((a, b) => key(scene.objects[b] as ObjectFacts) - key(scene.objects[a] as ObjectFacts));
  const [best, runnerUp] = sorted;
  if (best === undefined) {
    return null;
  }
  if (runnerUp === undefined) {
    return best;
  }
  const winner = scene.objects[best] as ObjectFacts;
  const second = scene.objects[runnerUp] as ObjectFacts;
  return key(winner) - key(second) >= margin(winner, second) ? best : null;
}

function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Ratio margin on log-areas, so that "bigger" means SIZE_RATIO times the area. */
const logRatio = (): number => Math.log(SIZE_RATIO);
const logArea = (o: ObjectFacts): number => Math.log(Math.max(1, o.area));

function selectBySize(scene: SceneFacts, candidates: readonly number[], big: boolean): number | null {
  if (candidates.length >= 2) {
    return clearMaximum(scene, candidates, (o) => (big ? logArea(o) : -logArea(o)), logRatio);
  }
  // A lone candidate is "small" or "big" compared with everything else on the table.
  const only = candidates[0] as number;
  const others = scene.objects.filter((_, index) => index !== only).map((o) => o.area);
  if (others.length === 0) {
    return null;
  }
  const area = (scene.objects[only] as ObjectFacts).area;
  const typical = median(others);
  const clear = big ? area >= typical * SIZE_RATIO * 1.5 : area * SIZE_RATIO * 1.5 <= typical;
  return clear ? only : null;
}

function byHorizontalOrder(scene: SceneFacts, candidates: readonly number[], from: "left" | "right"): number[] {
  const sign = from === "left" ? 1 : -1;
  return candidates.slice().sort((a, b) => sign * (centerX(scene.objects[a] as ObjectFacts) - centerX(scene.objects[b] as ObjectFacts)));
}

/** Checks that the neighbours in horizontal order around `rank` (0-based) are separated by the margin. */
function separatedAt(scene: SceneFacts, order: readonly number[], rank: number): boolean {
  for (const [i, j] of [
    [rank - 1, rank],
    [rank, rank + 1],
  ] as const) {
    const a = order[i];
    const b = order[j];
    if (a === undefined || b === undefined) {
      continue;
    }
    const left = scene.objects[a] as ObjectFacts;
    const right = scene.objects[b] as ObjectFacts;
    if (Math.abs(centerX(right) - centerX(left)) < horizontalMargin(scene, left, right)) {
      return false;
    }
  }
  return true;
}

function selectPosition(scene: SceneFacts, candidates: readonly number[], value: "left" | "right" | "front" | "back" | "middle"): number | null {
  const objects = scene.objects;
  if (value === "middle") {
    if (candidates.length === 1) {
      const cx = centerX(objects[candidates[0] as number] as ObjectFacts);
      return cx > 0.4 * scene.width && cx < 0.6 * scene.width ? (candidates[0] as number) : null;
    }
    if (candidates.length < 3 || candidates.length % 2 === 0) {
      return null;
    }
    const order = byHorizontalOrder(scene, candidates, "left");
    const rank = (order.length - 1) / 2;
    return separatedAt(scene, order, rank) ? (order[rank] as number) : null;
  }
  if (value === "left" || value === "right") {
    const sign = value === "right" ? 1 : -1;
    const inHalf = (index: number): boolean => sign * (centerX(objects[index] as ObjectFacts) - scene.width / 2) > 0.05 * scene.width;
    if (candidates.length === 1) {
      const index = candidates[0] as number;
      return sign * (centerX(objects[index] as ObjectFacts) - scene.width / 2) > scene.width / 6 ? index : null;
    }
    const best = clearMaximum(scene, candidates, (o) => sign * centerX(o), (a, b) => horizontalMargin(scene, a, b));
    return best !== null && inHalf(best) ? best : null;
  }
  if (candidates.length < 2) {
    return null;
  }
  const sign = value === "front" ? 1 : -1;
  return clearMaximum(scene, candidates, (o) => sign * bottom(o), (a, b) => depthMargin(scene, a, b));
}

function select(scene: SceneFacts, candidates: readonly number[], selector: Selector): number | null {
  switch (selector.kind) {
    case "size":
      return selectBySize(scene, candidates, selector.value === "big");
    case "position":
      return selectPosition(scene, candidates, selector.value);
    case "ordinal": {
      if (candidates.length < 3 || selector.rank > candidates.length) {
        return null;
      }
      const order = byHorizontalOrder(scene, candidates, selector.from);
      return separatedAt(scene, order, selector.rank - 1) ? (order[selector.rank - 1] as number) : null;
    }
    case "superlative": {
      if (candidates.length < 2) {
        return null;
      }
      switch (selector.value) {
        case "biggest":
        case "smallest":
          return selectBySize(scene, candidates, selector.value === "biggest");
        case "leftmost":
        case "rightmost": {
          const sign = selector.value === "rightmost" ? 1 : -1;
          return clearMaximum(scene, candidates, (o) => sign * centerX(o), (a, b) => horizontalMargin(scene, a, b));
        }
        case "closest":
        case "farthest": {
          const sign = selector.value === "closest" ? 1 : -1;
          return clearMaximum(scene, candidates, (o) => sign * bottom(o), (a, b) => depthMargin(scene, a, b));
        }
      }
    }
  }
}

/**
 * Finds what `description` refers to: "unique" with the object's index, "none" when
 * clearly nothing matches, "ambiguous" when several objects match or one is borderline.
 */
export function resolve(scene: SceneFacts, description: Description): Resolution {
  let anchors: number[] = [];
  if (description.relation !== undefined) {
    const found = description.relation.anchors.map((head) => uniqueMatch(scene, head));
    if (found.some((index) => index === null) || new Set(found).size !== found.length) {
      return { status: "ambiguous" };
    }
    anchors = found as number[];
  }

  const candidates: number[] = [];
  for (let index = 0; index < scene.objects.length; index++) {
    const object = scene.objects[index] as ObjectFacts;
    if (anchors.includes(index) || !matchesHead(object, description.head)) {
      continue;
    }
    if (description.relation !== undefined) {
      const anchorFacts = anchors.map((anchor) => scene.objects[anchor] as ObjectFacts);
      const truth = relationTruth(description.relation.kind, object, anchorFacts, scene);
      if (truth === "unsure") {
        return { status: "ambiguous" };
      }
      if (truth === "no") {
        continue;
      }
    }
    candidates.push(index);
  }

  if (candidates.length === 0) {
    return { status: "none" };
  }
  if (description.selector === undefined) {
    return candidates.length === 1 ? { status: "unique", index: candidates[0] as number } : { status: "ambiguous" };
  }
  const chosen = select(scene, candidates, description.selector);
  return chosen === null ? { status: "ambiguous" } : { status: "unique", index: chosen };
}
