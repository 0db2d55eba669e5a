/**
 * Silhouettes of the object categories in the oblique view of a camera looking down at a
 * table. Each builder returns parts in local units: the base centre sits at (0, 0), y
 * grows downwards (so the object extends to negative y) and the larger side is about 1.
 */
import type { CategoryName } from "./catalog";
import { hslToHex, shade, type Hsl } from "./color";
import { arc, type Part } from "./geometry";
import type { Random } from "./random";

type Builder = (random: Random, color: Hsl) => Part[];

function fill(color: Hsl, delta = 0): string {
  return hslToHex(shade(color, delta));
}

const INK = "#1d1d1f";
const METAL = "#c4c8cc";
const PAPER = "#eee8d8";

function mug(random: Random, color: Hsl): Part[] {
  const half = 0.3;
  const height = random.range(0.6, 0.85);
  const rim = 0.07;
  const handle = [
    ...arc(half - 0.02, -height * 0.52, 0.22, height * 0.3, -Math.PI / 2, Math.PI / 2, 10),
    ...arc(half - 0.02, -height * 0.52, 0.12, height * 0.18, Math.PI / 2, -Math.PI / 2, 10),
  ];
  return [
    { shape: { type: "polygon", points: handle }, fill: fill(color, -0.08), solid: true },
    { shape: { type: "rect", x: -half, y: -height, width: 2 * half, height }, fill: fill(color), solid: true },
    { shape: { type: "ellipse", cx: 0, cy: 0, rx: half, ry: rim }, fill: fill(color, -0.04), solid: true },
    { shape: { type: "rect", x: half * 0.45, y: -height, width: half * 0.55, height }, fill: "#000", opacity: 0.16, solid: false },
    { shape: { type: "rect", x: -half * 0.7, y: -height * 0.9, width: half * 0.18, height: height * 0.8 }, fill: "#fff", opacity: 0.22, solid: false },
    { shape: { type: "ellipse", cx: 0, cy: -height, rx: half, ry: rim }, fill: fill(color, 0.1), solid: true },
    { shape: { type: "ellipse", cx: 0, cy: -height + 0.008, rx: half * 0.84, ry: rim * 0.7 }, fill: random.chance(0.5) ? "#3b2414" : fill(color, -0.25), solid: false },
  ];
}

function bowl(random: Random, color: Hsl): Part[] {
  const depth = random.range(0.26, 0.4);
  const rim = random.range(0.09, 0.13);
  const body = arc(0, -depth, 0.5, depth, 0, Math.PI, 24);
  return [
    { shape: { type: "ellipse", cx: 0, cy: -0.02, rx: 0.18, ry: 0.03 }, fill: fill(color, -0.15), solid: true },
    { shape: { type: "polygon", points: body }, fill: fill(color), solid: true },
    { shape: { type: "polygon", points: arc(0, -depth, 0.5, depth, Math.PI * 0.05, Math.PI * 0.45, 10).concat([0.2, -depth]) }, fill: "#000", opacity: 0.15, solid: false },
    { shape: { type: "ellipse", cx: 0, cy: -depth, rx: 0.5, ry: rim }, fill: fill(color, 0.1), solid: true },
    { shape: { type: "ellipse", cx: 0, cy: -depth + rim * 0.12, rx: 0.45, ry: rim * 0.78 }, fill: fill(color, -0.18), solid: false },
  ];
}

function plate(random: Random, color: Hsl): Part[] {
  const ry = random.range(0.1, 0.16);
  const cy = -ry - 0.03;
  return [
    { shape: { type: "ellipse", cx: 0, cy: cy + 0.03, rx: 0.49, ry }, fill: fill(color, -0.18), solid: true },
    { shape: { type: "ellipse", cx: 0, cy, rx: 0.5, ry }, fill: fill(color), solid: true },
    { shape: { type: "ellipse", cx: 0, cy: cy + ry * 0.05, rx: 0.33, ry: ry * 0.62 }, fill: fill(color, -0.06), solid: false },
    { shape: { type: "ellipse", cx: -0.18, cy: cy - ry * 0.45, rx: 0.12, ry: ry * 0.15 }, fill: "#fff", opacity: 0.3, solid: false },
  ];
}

function bottle(random: Random, color: Hsl): Part[] {
  const half = random.range(0.13, 0.18);
  const shoulder = random.range(0.55, 0.65);
  const neck = random.range(0.045, 0.065);
  const outline = [-half, 0, -half, -shoulder, -neck, -0.8, -neck, -0.93, neck, -0.93, neck, -0.8, half, -shoulder, half, 0];
  const cap = random.pick(["#f2f2f2", INK, "#8a8f94", fill(color, -0.2)]);
  return [
    { shape: { type: "polygon", points: outline }, fill: fill(color), solid: true },
    { shape: { type: "ellipse", cx: 0, cy: 0, rx: half, ry: 0.035 }, fill: fill(color, -0.05), solid: true },
    { shape: { type: "rect", x: -half, y: -shoulder * 0.75, width: 2 * half, height: shoulder * 0.4 }, fill: fill(color, random.pick([0.25, -0.2])), solid: false },
    { shape: { type: "rect", x: half * 0.35, y: -shoulder, width: half * 0.65, height: shoulder }, fill: "#000", opacity: 0.15, solid: false },
    { shape: { type: "rect", x: -half * 0.6, y: -shoulder * 0.95, width: half * 0.22, height: shoulder * 0.85 }, fill: "#fff", opacity: 0.3, solid: false },
    { shape: { type: "rect", x: -neck * 1.2, y: -1, width: neck * 2.4, height: 0.08 }, fill: cap, solid: true },
  ];
}

function can(random: Random, color: Hsl): Part[] {
  const half = 0.28;
  const height = random.range(0.55, 0.8);
  const rim = 0.06;
  const bandTop = -height * random.range(0.6, 0.75);
  const bandHeight = height * random.range(0.25, 0.35);
  const parts: Part[] = [
    { shape: { type: "rect", x: -half, y: -height, width: 2 * half, height }, fill: fill(color), solid: true },
    { shape: { type: "ellipse", cx: 0, cy: 0, rx: half, ry: rim }, fill: fill(color, -0.05), solid: true },
    { shape: { type: "rect", x: -half, y: bandTop, width: 2 * half, height: bandHeight }, fill: fill(color, random.pick([0.3, -0.22])), solid: false },
  ];
  for (let line = 0; line < 2; line++) {
    const y = bandTop + bandHeight * (0.35 + 0.3 * line);
    parts.push({ shape: { type: "rect", x: -half * 0.6, y, width: half * random.range(0.6, 1.2), height: bandHeight * 0.12 }, fill: INK, opacity: 0.55, solid: false });
  }
  parts.push(
    { shape: { type: "rect", x: half * 0.4, y: -height, width: half * 0.6, height }, fill: "#000", opacity: 0.16, solid: false },
    { shape: { type: "ellipse", cx: 0, cy: -height, rx: half, ry: rim }, fill: METAL, solid: true },
    { shape: { type: "ellipse", cx: 0, cy: -height, rx: half * 0.82, ry: rim * 0.7 }, fill: "#a3a8ad", solid: false },
  );
  return parts;
}

function box(random: Random, color: Hsl): Part[] {
  const width = random.range(0.45, 0.75);
  const height = random.range(0.25, 0.6);
  const dx = random.range(0.12, 0.25);
  const dy = dx * random.range(0.7, 1);
  const left = -(width + dx) / 2;
  const right = left + width;
  const top: number[] = [left, -height, right, -height, right + dx, -height - dy, left + dx, -height - dy];
  const side: number[] = [right, 0, right, -height, right + dx, -height - dy, right + dx, -dy];
  const parts: Part[] = [
    { shape: { type: "rect", x: left, y: -height, width, height }, fill: fill(color), solid: true },
    { shape: { type: "polygon", points: top }, fill: fill(color, 0.12), solid: true },
    { shape: { type: "polygon", points: side }, fill: fill(color, -0.14), solid: true },
  ];
  if (random.chance(0.5)) {
    const tapeX = left + width / 2 - 0.03;
    parts.push({ shape: { type: "polygon", points: [tapeX, -height, tapeX + 0.06, -height, tapeX + 0.06 + dx, -height - dy, tapeX + dx, -height - dy] }, fill: "#d8c7a0", opacity: 0.85, solid: false });
  }
  return parts;
}

function ball(random: Random, color: Hsl): Part[] {
  const seam = arc(0.35, -0.5, 0.42, 0.5, Math.PI * 0.62, Math.PI * 1.38, 12);
  return [
    { shape: { type: "ellipse", cx: 0, cy: -0.5, rx: 0.5, ry: 0.5 }, fill: fill(color), solid: true },
    { shape: { type: "ellipse", cx: 0.1, cy: -0.42, rx: 0.4, ry: 0.42 }, fill: "#000", opacity: 0.14, solid: false },
    { shape: { type: "polyline", points: seam }, stroke: random.chance(0.5) ? "#f4f4f4" : fill(color, -0.25), strokeWidth: 0.04, solid: false },
    { shape: { type: "ellipse", cx: -0.17, cy: -0.68, rx: 0.12, ry: 0.08 }, fill: "#fff", opacity: 0.45, solid: false },
  ];
}

/** Reverses the polyline's points and moves them by `dy`, to close a band along the line. */
function shiftedBack(points: readonly number[], dy: number): number[] {
  const result: number[] = [];
  for (let i = points.length - 2; i >= 0; i -= 2) {
    result.push(points[i] as number, (points[i + 1] as number) + dy);
  }
  return result;
}

function banana(random: Random, color: Hsl): Part[] {
  const bend = random.range(0.15, 0.28);
  const thickness = random.range(0.11, 0.15);
  const steps = 16;
  const upper: number[] = [];
  const lower: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const x = t - 0.5;
    const y = -thickness / 2 - bend * (2 * t - 1) ** 2;
    const half = (thickness / 2) * Math.sin(Math.PI * t) ** 0.6 + 0.008;
    upper.push(x, y - half);
    lower.unshift(x, y + half);
  }
  const centre = -thickness / 2 - bend;
  return [
    { shape: { type: "polygon", points: upper.concat(lower) }, fill: fill(color), solid: true },
    { shape: { type: "polygon", points: lower.concat(shiftedBack(lower, -thickness * 0.35)) }, fill: "#000", opacity: 0.14, solid: false },
    { shape: { type: "ellipse", cx: -0.5, cy: centre, rx: 0.025, ry: 0.02 }, fill: "#3b2a1a", solid: true },
    { shape: { type: "rect", x: 0.47, y: centre - 0.015, width: 0.05, height: 0.03 }, fill: "#4b3a22", solid: true },
  ];
}

function book(random: Random, color: Hsl): Part[] {
  const depth = random.range(0.2, 0.35);
  const skew = depth * random.range(0.25, 0.5);
  const thickness = random.range(0.04, 0.1);
  const width = 1 - skew;
  const left = -0.5;
  const cover = [left, -thickness, left + width, -thickness, left + width + skew, -thickness - depth, left + skew, -thickness - depth];
  const pages = [left, 0, left + width, 0, left + width, -thickness, left, -thickness];
  const edge = [left + width, 0, left + width + skew, -depth, left + width + skew, -depth - thickness, left + width, -thickness];
  return [
    { shape: { type: "polygon", points: pages }, fill: PAPER, solid: true },
    { shape: { type: "polygon", points: edge }, fill: "#d9d2bf", solid: true },
    { shape: { type: "polygon", points: cover }, fill: fill(color), solid: true },
    { shape: { type: "polygon", points: [left, -thickness, left + 0.08, -thickness, left + 0.08 + skew, -thickness - depth, left + skew, -thickness - depth] }, fill: fill(color, -0.15), solid: false },
    { shape: { type: "rect", x: left + 0.35, y: -thickness - depth * 0.65, width: 0.3, height: depth * 0.25 }, fill: random.chance(0.5) ? "#f2f2f2" : fill(color, 0.25), opacity: 0.8, solid: false },
  ];
}

function apple(random: Random, color: Hsl): Part[] {
  const lean = random.range(-0.05, 0.05);
  const leaf = [0.02, -0.9, 0.12, -0.99, 0.24, -0.98, 0.13, -0.89];
  return [
    { shape: { type: "ellipse", cx: -0.14, cy: -0.42, rx: 0.31, ry: 0.41 }, fill: fill(color), solid: true },
    { shape: { type: "ellipse", cx: 0.14, cy: -0.42, rx: 0.31, ry: 0.41 }, fill: fill(color), solid: true },
    { shape: { type: "ellipse", cx: 0.16, cy: -0.36, rx: 0.22, ry: 0.32 }, fill: "#000", opacity: 0.12, solid: false },
    { shape: { type: "ellipse", cx: -0.2, cy: -0.55, rx: 0.07, ry: 0.1 }, fill: "#fff", opacity: 0.35, solid: false },
    { shape: { type: "polygon", points: [-0.02 + lean, -0.8, 0.02 + lean, -0.8, 0.03 + lean, -0.95, -0.01 + lean, -0.95] }, fill: "#4a3320", solid: true },
    { shape: { type: "polygon", points: leaf }, fill: "#3f8a2e", solid: true },
  ];
}

const BUILDERS: Record<CategoryName, Builder> = { mug, bowl, bottle, can, box, ball, banana, plate, book, apple };

/** Parts of one object of `category` painted in `color`, in local units. */
export function buildObject(category: CategoryName, random: Random, color: Hsl): Part[] {
  return BUILDERS[category](random, color);
}

/** Categories drawn upright; the others may lie at any angle on the table. */
export const UPRIGHT: ReadonlySet<CategoryName> = new Set<CategoryName>(["mug", "bowl", "bottle", "can", "box", "plate", "apple", "ball"]);
