/**
 * Chooses what to say about a referent: tries kinds of expression in a random order and
 * keeps the first whose meaning, checked with `resolve`, singles out the referent.
 */
import { CATEGORY_NAMES, colorsFor, isHeldOut, type CategoryName } from "./catalog";
import type { Random } from "./random";
import {
  RELATION_KINDS,
  relationTruth,
  resolve,
  uniqueMatch,
  type Description,
  type Head,
  type ObjectFacts,
  type SceneFacts,
  type Selector,
} from "./semantics";

type Plan = "category" | "color" | "thing" | "size" | "position" | "relation" | "ordinal" | "superlative";

/** Relative frequency of each kind of expression, before validity removes some. */
const PLAN_WEIGHTS: readonly (readonly [Plan, number])[] = [
  ["category", 0.8],
  ["color", 1.2],
  ["thing", 0.5],
  ["size", 1],
  ["position", 1.2],
  ["relation", 2],
  ["ordinal", 0.8],
  ["superlative", 1.2],
];

export interface ExpressionOptions {
  /** Every expression names the referent's colour and category (test-novel refs). */
  requireColor: boolean;
}

function planOrder(random: Random, options: ExpressionOptions): Plan[] {
  let remaining = PLAN_WEIGHTS.filter(([plan]) => !options.requireColor || (plan !== "category" && plan !== "thing"));
  const order: Plan[] = [];
  while (remaining.length > 0) {
    const plan = random.weighted(remaining);
    order.push(plan);
    remaining = remaining.filter(([other]) => other !== plan);
  }
  return order;
}

/** Heads for the referent, from the barest to the most specific. */
function headsFor(random: Random, target: ObjectFacts, options: ExpressionOptions): Head[] {
  const full: Head = { category: target.category, color: target.color };
  if (options.requireColor) {
    return [full];
  }
  const bare: Head = { category: target.category, color: null };
  return random.chance(0.6) ? [bare, full] : [full, bare];
}

function isUnique(scene: SceneFacts, description: Description, target: number): boolean {
  const result = resolve(scene, description);
  return result.status === "unique" && result.index === target;
}

/** Heads that name `index` alone in the scene, usable as relation anchors. */
function anchorHeads(scene: SceneFacts, index: number, random: Random): Head[] {
  const object = scene.objects[index] as ObjectFacts;
  const heads: Head[] = [
    { category: object.category, color: null },
    { category: object.category, color: object.color },
  ];
  return random.shuffle(heads).filter((head) => uniqueMatch(scene, head) === index);
}

function tryRelation(random: Random, scene: SceneFacts, target: number, heads: readonly Head[]): Description | null {
  const targetFacts = scene.objects[target] as ObjectFacts;
  const others = random.shuffle(scene.objects.map((_, index) => index).filter((index) => index !== target));
  for (const kind of random.shuffle(RELATION_KINDS)) {
    if (kind === "between") {
      for (let i = 0; i < others.length; i++) {
        for (let j = i + 1; j < others.length; j++) {
          const first = others[i] as number;
          const second = others[j] as number;
          const anchors = [scene.objects[first] as ObjectFacts, scene.objects[second] as ObjectFacts];
          if (relationTruth(kind, targetFacts, anchors, scene) !== "yes") {
            continue;
          }
          const [headA] = anchorHeads(scene, first, random);
          const [headB] = anchorHeads(scene, second, random);
          if (headA === undefined || headB === undefined) {
            continue;
          }
          for (const head of heads) {
            const description: Description = { head, relation: { kind, anchors: [headA, headB] } };
            if (isUnique(scene, description, target)) {
              return description;
            }
          }
        }
      }
      continue;
    }
    for (const anchor of others) {
      if (relationTruth(kind, targetFacts, [scene.objects[anchor] as ObjectFacts], scene) !== "yes") {
        continue;
      }
      for (const anchorHead of anchorHeads(scene, anchor, random)) {
        for (const head of heads) {
          const description: Description = { head, relation: { kind, anchors: [anchorHead] } };
          if (isUnique(scene, description, target)) {
            return description;
          }
        }
      }
    }
  }
  return null;
}

function selectorsFor(plan: Plan, random: Random): Selector[] {
  switch (plan) {
    case "size":
      return random.shuffle([{ kind: "size", value: "small" }, { kind: "size", value: "big" }]);
    case "position":
      return random.shuffle((["left", "right", "front", "back", "middle"] as const).map((value) => ({ kind: "position", value })));
    case "ordinal":
      return random.shuffle(
        ([1, 2, 3] as const).flatMap((rank) => (["left", "right"] as const).map((from): Selector => ({ kind: "ordinal", rank, from }))),
      );
    case "superlative":
      return random.shuffle((["biggest", "smallest", "leftmost", "rightmost", "closest", "farthest"] as const).map((value) => ({ kind: "superlative", value })));
    default:
      return [];
  }
}

function tryPlan(plan: Plan, random: Random, scene: SceneFacts, target: number, options: ExpressionOptions): Description | null {
  const facts = scene.objects[target] as ObjectFacts;
  const heads = headsFor(random, facts, options);
  switch (plan) {
    case "category": {
      const description: Description = { head: { category: facts.category, color: null } };
      return isUnique(scene, description, target) ? description : null;
    }
    case "color": {
      const description: Description = { head: { category: facts.category, color: facts.color } };
      return isUnique(scene, description, target) ? description : null;
    }
    case "thing": {
      const description: Description = { head: { category: null, color: facts.color } };
      return isUnique(scene, description, target) ? description : null;
    }
    case "relation":
      return tryRelation(random, scene, target, heads);
    default: {
      // Superlatives also work over everything on the table ("the biggest thing").
      const allHeads = plan === "superlative" && !options.requireColor && random.chance(0.25) ? [{ category: null, color: null }, ...heads] : heads;
      for (const selector of selectorsFor(plan, random)) {
        for (const head of allHeads) {
          const description: Description = { head, selector };
          if (isUnique(scene, description, target)) {
            return description;
          }
        }
      }
      return null;
    }
  }
}

/** Finds a description that singles out object `target`; null when no kind of expression can. */
export function describeTarget(random: Random, scene: SceneFacts, target: number, options: ExpressionOptions): Description | null {
  for (const plan of planOrder(random, options)) {
    const description = tryPlan(plan, random, scene, target, options);
    if (description !== null) {
      return description;
    }
  }
  return null;
}

/**
 * Finds a description that clearly matches nothing in the scene: a colour/category pair that is
 * not on the table (mostly of a category that is), a category that is absent, or a
 * relation no object satisfies. Never uses a held-out pair.
 */
export function describeAbsent(random: Random, scene: SceneFacts): { description: Description; category: CategoryName } | null {
  const present = [...new Set(scene.objects.map((object) => object.category))];
  const absentCategories = CATEGORY_NAMES.filter((category) => !present.includes(category));
  const mode = random.weighted([
    ["color", 0.6],
    ["category", 0.2],
    ["relation", 0.2],
  ] as const);

  const attempts: Description[] = [];
  if (mode === "relation") {
    const relation = absentRelation(random, scene);
    if (relation !== null) {
      attempts.push(relation);
    }
  }
  if (mode === "category" && absentCategories.length > 0) {
    const category = random.pick(absentCategories);
    const color = random.chance(0.5) ? random.pick(colorsFor(category)) : null;
    attempts.push({ head: { category, color } });
  }
  const category = random.chance(0.75) && present.length > 0 ? random.pick(present) : random.pick(CATEGORY_NAMES);
  for (const color of random.shuffle(colorsFor(category))) {
    attempts.push({ head: { category, color } });
  }

  for (const description of attempts) {
    const { category: named, color } = description.head;
    if (named === null || (color !== null && isHeldOut(color, named))) {
      continue;
    }
    if (resolve(scene, description).status === "none") {
      return { description, category: named };
    }
  }
  return null;
}

/** "the mug left of the bowl" when every mug is clearly elsewhere. */
function absentRelation(random: Random, scene: SceneFacts): Description | null {
  const indices = random.shuffle(scene.objects.map((_, index) => index));
  for (const anchor of indices) {
    const [anchorHead] = anchorHeads(scene, anchor, random);
    if (anchorHead === undefined) {
      continue;
    }
    for (const other of indices) {
      const facts = scene.objects[other] as ObjectFacts;
      if (other === anchor || facts.category === anchorHead.category) {
        continue;
      }
      const kind = random.pick(["left_of", "right_of", "behind", "in_front_of"] as const);
      const description: Description = { head: { category: facts.category, color: null }, relation: { kind, anchors: [anchorHead] } };
      if (resolve(scene, description).status === "none") {
        return description;
      }
    }
  }
  return null;
}
