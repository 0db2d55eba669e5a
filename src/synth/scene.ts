/**
 * Scene layout: which objects stand where on the table, the camera pose and the look of
 * the photograph (light, shadows, noise, blur). A layout is pure data; svg.ts draws it and
 * mask.ts measures what each object shows.
 */
import { CATEGORY_NAMES, HELD_OUT_PAIRS, pickColor, type CategoryName, type ColorName } from "./catalog";
import { jitterColor } from "./color";
import { drawBackground, type Background } from "./background";
import {
  multiply,
  rotationAbout,
  scaling,
  silhouetteBounds,
  transformBounds,
  translation,
  type Affine,
  type Bounds,
  type Part,
} from "./geometry";
import { computeVisibility, withCamera, type Visibility } from "./mask";
import { buildObject, UPRIGHT } from "./objects";
import type { Random } from "./random";

export interface PlacedObject {
  category: CategoryName;
  color: ColorName;
  parts: Part[];
  /** Local units to table pixels, before the camera transform. */
  placement: Affine;
  /** Longer side of the object's silhouette box in its own frame (before rotation), in table pixels. */
  extent: number;
  /** Soft shadow on the table, in table pixels. */
  shadow: { cx: number; cy: number; rx: number; ry: number };
}

export interface Look {
  /** Multiplier on every channel (1 keeps the rendered brightness). */
  gain: number;
  /** Added to every channel, in 0..255 units. */
  bias: number;
  /** Per-channel multipliers for the colour of the light. */
  tint: [number, number, number];
  /** Standard deviation of the pixel noise, in 0..255 units. */
  noise: number;
  /** Gaussian blur sigma in pixels; 0 disables. */
  blur: number;
  /** Direction the light comes from, in degrees (0: from the left, 90: from the top). */
  lightAngle: number;
  /** Largest relative brightening towards the light and darkening away from it (0..1). */
  lightStrength: number;
  /** Largest relative darkening in the image corners (0..1). */
  vignette: number;
  shadowOpacity: number;
}

export interface SceneLayout {
  width: number;
  height: number;
  /** Objects in painting order: from the back of the table to the front. */
  objects: PlacedObject[];
  background: Background;
  /** Table pixels to image pixels: a slight tilt about the image centre. */
  camera: Affine;
  look: Look;
  /** Visible extent of each object under `camera`, measured while laying out. */
  visibility: Visibility[];
}

export interface LayoutOptions {
  width: number;
  height: number;
  /** Put one held-out colour/category pair in the scene and allow others. */
  novel: boolean;
  /** Minimum and maximum object count; default 2 and 12. */
  minObjects?: number;
  maxObjects?: number;
  /** Object extents in pixels; default minObjectSize(width) to maxObjectSize(width). */
  minSize?: number;
  maxSize?: number;
}

/** An object is kept only if at least this share of it stays visible behind the others. */
export const MIN_VISIBLE_FRACTION = 0.6;
/** Smallest visible box side, in pixels, of a kept object. */
const MIN_VISIBLE_SIDE = 4;

/** Smallest object extent in pixels: 12 px at 640 px width, scaled with the width, at least 6 px. */
export function minObjectSize(width: number): number {
  return Math.max(6, (12 * width) / 640);
}

/** Largest object extent in pixels: 45% of the image width. */
export function maxObjectSize(width: number): number {
  return 0.45 * width;
}

interface ObjectSpec {
  category: CategoryName;
  color: ColorName;
  size: number;
}

function chooseSpecs(random: Random, options: LayoutOptions): ObjectSpec[] {
  const count = random.int(options.minObjects ?? 2, options.maxObjects ?? 12);
  const specs: ObjectSpec[] = [];
  const minSize = options.minSize ?? minObjectSize(options.width);
  const maxSize = options.maxSize ?? maxObjectSize(options.width);
  for (let i = 0; i < count; i++) {
    const size = random.logRange(minSize, maxSize);
    const previous = specs.length > 0 ? random.pick(specs) : undefined;
    if (i === 0 && options.novel) {
      const [color, category] = random.pick(HELD_OUT_PAIRS);
      specs.push({ category, color, size });
    } else if (previous !== undefined && random.chance(0.35)) {
      // Repeated categories (and sometimes twins) make size, position and relation words necessary.
      const color = random.chance(0.3) ? previous.color : pickColor(random, previous.category, options.novel);
      specs.push({ category: previous.category, color, size });
    } else {
      const category = random.pick(CATEGORY_NAMES);
      specs.push({ category, color: pickColor(random, category, options.novel), size });
    }
  }
  return specs;
}

function area(bounds: Bounds): number {
  return Math.max(0, bounds.right - bounds.left) * Math.max(0, bounds.bottom - bounds.top);
}

function overlapShare(a: Bounds, b: Bounds): number {
  const overlap = area({
    left: Math.max(a.left, b.left),
    top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right),
    bottom: Math.min(a.bottom, b.bottom),
  });
  return overlap / Math.max(1e-6, Math.min(area(a), area(b)));
}

interface Candidate {
  object: PlacedObject;
  bounds: Bounds;
  baseY: number;
}

/** Tries positions for one object; shrinks it when the table is crowded. Returns null when it does not fit. */
function place(random: Random, spec: ObjectSpec, placed: readonly Candidate[], tableTop: number, options: LayoutOptions, lightSide: number): Candidate | null {
  const { width, height } = options;
  const parts = buildObject(spec.category, random, jitterColor(random, spec.color));
  const local = silhouetteBounds(parts);
  const localExtent = Math.max(local.right - local.left, local.bottom - local.top);
  const upright = UPRIGHT.has(spec.category);
  const rotation = upright ? random.range(-6, 6) : random.range(-45, 45);
  const flip = random.chance(0.5) ? -1 : 1;

  for (let attempt = 0; attempt < 40; attempt++) {
    const shrink = 0.8 ** Math.floor(attempt / 10);
    const baseY = random.range(Math.max(tableTop, 0) + 0.05 * height, height);
    // Mild perspective: things further back look up to 25% smaller.
    const depth = (baseY - tableTop) / Math.max(1, height - tableTop);
    const size = Math.max(minObjectSize(width), spec.size * shrink * (0.75 + 0.25 * depth));
    const scale = size / localExtent;
    const x = random.range(0, width);
    const placement = multiply(translation(x, baseY), multiply(rotationAbout(rotation, 0, 0), scaling(flip * scale, scale)));
    const bounds = transformBounds(placement, local);
    if (bounds.left < 1 || bounds.top < 1 || bounds.right > width - 1 || bounds.bottom > height - 1) {
      continue;
    }
    if (placed.some((other) => overlapShare(bounds, other.bounds) > 0.4)) {
      continue;
    }
    const boxWidth = bounds.right - bounds.left;
    const shadow = {
      cx: (bounds.left + bounds.right) / 2 + lightSide * 0.12 * boxWidth,
      cy: bounds.bottom - 0.04 * size,
      rx: 0.62 * boxWidth,
      ry: Math.max(1.5, 0.16 * boxWidth),
    };
    const object: PlacedObject = { category: spec.category, color: spec.color, parts, placement, extent: size, shadow };
    return { object, bounds, baseY };
  }
  return null;
}

function chooseLook(random: Random, width: number): Look {
  const scale = Math.max(1, width / 320);
  return {
    gain: random.range(0.75, 1.2),
    bias: random.range(-15, 15),
    tint: [random.range(0.92, 1.08), random.range(0.95, 1.05), random.range(0.92, 1.08)],
    noise: random.chance(0.2) ? 0 : random.range(1, 9),
    blur: random.chance(0.55) ? 0 : random.range(0.3, 1.1) * scale,
    lightAngle: random.range(0, 360),
    lightStrength: random.range(0, 0.35),
    vignette: random.range(0, 0.35),
    shadowOpacity: random.range(0.2, 0.6),
  };
}

/**
 * Lays out one scene. Objects that end up hidden behind others for more than
 * 1 - MIN_VISIBLE_FRACTION of their area are removed, so every object can be a referent.
 */
export function layoutScene(random: Random, options: LayoutOptions): SceneLayout {
  const { width, height } = options;
  const tableTop = random.chance(0.25) ? -1 : random.range(0.05, 0.4) * height;
  const background = drawBackground(random, width, height, tableTop);
  const look = chooseLook(random, width);
  const lightSide = Math.cos((look.lightAngle * Math.PI) / 180) >= 0 ? 1 : -1;
  const camera = rotationAbout(random.range(-4, 4), width / 2, height / 2);

  const specs = chooseSpecs(random, options);
  const candidates: Candidate[] = [];
  for (const spec of specs) {
    const candidate = place(random, spec, candidates, tableTop, options, lightSide);
    if (candidate !== null) {
      candidates.push(candidate);
    }
  }
  candidates.sort((a, b) => a.baseY - b.baseY);
  let objects = candidates.map((candidate) => candidate.object);

  // Remove the worst-hidden object until every remaining one is visible enough.
  let visibility: Visibility[];
  for (;;) {
    visibility = measureObjects(objects, camera, width, height);
    let worst = -1;
    let worstFraction = Infinity;
    visibility.forEach((item, index) => {
      const fraction = item.visibleArea / Math.max(1, item.fullArea);
      const box = item.box;
      const tooSmall = box === null || box.right - box.left < MIN_VISIBLE_SIDE || box.bottom - box.top < MIN_VISIBLE_SIDE;
      const score = tooSmall ? -1 : fraction;
      if (score < MIN_VISIBLE_FRACTION && score < worstFraction) {
        worst = index;
        worstFraction = score;
      }
    });
    if (worst < 0) {
      break;
    }
    objects = objects.filter((_, index) => index !== worst);
  }

  return { width, height, objects, background, camera, look, visibility };
}

/** Visible extent of every object under `camera`. */
export function measureObjects(objects: readonly PlacedObject[], camera: Affine, width: number, height: number): Visibility[] {
  return computeVisibility(withCamera(camera, objects), width, height);
}
