/**
 * Wall, table surface and flat clutter behind the objects, as an SVG fragment in table
 * pixels. It overhangs the image by 20% on every side so that the camera tilt never shows
 * an empty corner.
 */
import { hslToHex, randomHsl, shade, type Hsl } from "./color";
import type { Random } from "./random";

export const TABLE_TEXTURES = ["wood", "plain", "cloth", "tiles", "marble", "stripes"] as const;
export type TableTexture = (typeof TABLE_TEXTURES)[number];

function n(value: number): string {
  return value.toFixed(2);
}

interface Extent {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function woodGrain(random: Random, base: Hsl, area: Extent): string {
  const lines: string[] = [];
  const count = random.int(18, 40);
  for (let i = 0; i < count; i++) {
    const y = random.range(area.top, area.bottom);
    const wave = random.range(-6, 6);
    const tone = hslToHex(shade(base, random.range(-0.15, 0.1)));
    lines.push(
      `<path d="M${n(area.left)} ${n(y)} C${n(area.left + (area.right - area.left) / 3)} ${n(y + wave)} ${n(area.left + ((area.right - area.left) * 2) / 3)} ${n(y - wave)} ${n(area.right)} ${n(y + wave / 2)}" stroke="${tone}" stroke-width="${n(random.range(0.6, 3))}" stroke-opacity="${n(random.range(0.2, 0.6))}" fill="none"/>`,
    );
  }
  return lines.join("");
}

function blotches(random: Random, base: Hsl, area: Extent): string {
  const parts: string[] = [];
  const count = random.int(3, 10);
  for (let i = 0; i < count; i++) {
    const tone = hslToHex(shade(base, random.range(-0.08, 0.08)));
    parts.push(
      `<ellipse cx="${n(random.range(area.left, area.right))}" cy="${n(random.range(area.top, area.bottom))}" rx="${n(random.range(10, 80))}" ry="${n(random.range(5, 40))}" fill="${tone}" opacity="${n(random.range(0.15, 0.4))}"/>`,
    );
  }
  return parts.join("");
}

function marbleVeins(random: Random, area: Extent): string {
  const veins: string[] = [];
  const count = random.int(3, 8);
  for (let i = 0; i < count; i++) {
    let x = random.range(area.left, area.right);
    let y = random.range(area.top, area.bottom);
    let d = `M${n(x)} ${n(y)}`;
    for (let step = 0; step < 8; step++) {
      x += random.range(5, 40);
      y += random.range(-15, 15);
      d += ` L${n(x)} ${n(y)}`;
    }
    veins.push(`<path d="${d}" stroke="#7d7f86" stroke-width="${n(random.range(0.5, 2))}" stroke-opacity="${n(random.range(0.2, 0.5))}" fill="none"/>`);
  }
  return veins.join("");
}

/** The texture fill of the table: returns pattern definitions and the drawing on top of the base colour. */
function tableTexture(random: Random, texture: TableTexture, base: Hsl, area: Extent, unit: number): { defs: string; overlay: string } {
  switch (texture) {
    case "wood":
      return { defs: "", overlay: woodGrain(random, base, area) };
    case "plain":
      return { defs: "", overlay: blotches(random, base, area) };
    case "marble":
      return { defs: "", overlay: blotches(random, base, area) + marbleVeins(random, area) };
    case "cloth": {
      const cell = n(unit * random.range(0.04, 0.12));
      const other = hslToHex(random.chance(0.5) ? shade(base, -0.25) : randomHsl(random, [0.3, 0.7], [0.4, 0.7]));
      const pattern = `<pattern id="tex" width="${cell}" height="${cell}" patternUnits="userSpaceOnUse" patternTransform="rotate(${n(random.range(-8, 8))})"><rect width="${Number(cell) / 2}" height="${Number(cell) / 2}" fill="${other}" opacity="0.6"/><rect x="${Number(cell) / 2}" y="${Number(cell) / 2}" width="${Number(cell) / 2}" height="${Number(cell) / 2}" fill="${other}" opacity="0.6"/></pattern>`;
      return { defs: pattern, overlay: `<rect x="${n(area.left)}" y="${n(area.top)}" width="${n(area.right - area.left)}" height="${n(area.bottom - area.top)}" fill="url(#tex)"/>` };
    }
    case "tiles": {
      const cell = n(unit * random.range(0.08, 0.2));
      const grout = hslToHex(shade(base, random.pick([-0.2, 0.2])));
      const pattern = `<pattern id="tex" width="${cell}" height="${cell}" patternUnits="userSpaceOnUse"><path d="M0 0 H${cell} M0 0 V${cell}" stroke="${grout}" stroke-width="${n(random.range(0.8, 2))}"/></pattern>`;
      return { defs: pattern, overlay: blotches(random, base, area) + `<rect x="${n(area.left)}" y="${n(area.top)}" width="${n(area.right - area.left)}" height="${n(area.bottom - area.top)}" fill="url(#tex)"/>` };
    }
    case "stripes": {
      const cell = n(unit * random.range(0.05, 0.15));
      const other = hslToHex(randomHsl(random, [0.2, 0.6], [0.5, 0.85]));
      const pattern = `<pattern id="tex" width="${cell}" height="${cell}" patternUnits="userSpaceOnUse" patternTransform="rotate(${n(random.pick([0, 90, 45, -45]) + random.range(-5, 5))})"><rect width="${Number(cell) / 2}" height="${cell}" fill="${other}"/></pattern>`;
      return { defs: pattern, overlay: `<rect x="${n(area.left)}" y="${n(area.top)}" width="${n(area.right - area.left)}" height="${n(area.bottom - area.top)}" fill="url(#tex)" opacity="${n(random.range(0.4, 0.9))}"/>` };
    }
  }
}

function tableBase(random: Random, texture: TableTexture): Hsl {
  switch (texture) {
    case "wood":
      return { h: random.range(18, 40), s: random.range(0.3, 0.6), l: random.range(0.3, 0.68) };
    case "marble":
      return { h: random.range(0, 360), s: random.range(0, 0.06), l: random.range(0.78, 0.92) };
    default:
      return randomHsl(random, [0, 0.45], [0.25, 0.85]);
  }
}

/** Flat things lying on the table (napkins, mats, papers) that are not objects to refer to. */
function clutter(random: Random, width: number, tableTop: number, height: number): string {
  const parts: string[] = [];
  const count = random.weighted([
    [0, 0.5],
    [1, 0.35],
    [2, 0.15],
  ] as const);
  for (let i = 0; i < count; i++) {
    const w = random.range(0.1, 0.4) * width;
    const h = w * random.range(0.3, 0.7);
    const x = random.range(-0.1 * width, width);
    const y = random.range(tableTop, height);
    const tone = hslToHex(randomHsl(random, [0, 0.4], [0.6, 0.95]));
    parts.push(
      `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="${n(random.range(0, h * 0.2))}" fill="${tone}" opacity="${n(random.range(0.7, 1))}" transform="rotate(${n(random.range(-20, 20))} ${n(x + w / 2)} ${n(y + h / 2)})"/>`,
    );
  }
  return parts.join("");
}

export interface Background {
  /** Pattern definitions for `<defs>`. */
  defs: string;
  /** Drawing in table pixels. */
  body: string;
  texture: TableTexture;
}

/** Draws the wall above `tableTop` (pixels from the top; 0 or less hides it) and the table below. */
export function drawBackground(random: Random, width: number, height: number, tableTop: number): Background {
  const area: Extent = { left: -0.2 * width, top: -0.2 * height, right: 1.2 * width, bottom: 1.2 * height };
  const wall = randomHsl(random, [0.03, 0.3], [0.45, 0.9]);
  const texture = random.pick(TABLE_TEXTURES);
  const base = tableBase(random, texture);
  const tableArea: Extent = { ...area, top: tableTop };
  const { defs, overlay } = tableTexture(random, texture, base, tableArea, Math.max(width, height));

  const body: string[] = [`<rect x="${n(area.left)}" y="${n(area.top)}" width="${n(area.right - area.left)}" height="${n(area.bottom - area.top)}" fill="${hslToHex(wall)}"/>`];
  if (tableTop > 0 && random.chance(0.5)) {
    // A shelf or window in the wall, so that the back is not always empty.
    const w = random.range(0.15, 0.5) * width;
    const h = random.range(0.3, 0.9) * tableTop;
    body.push(`<rect x="${n(random.range(0, width - w))}" y="${n(tableTop - h - random.range(0, 0.1) * tableTop)}" width="${n(w)}" height="${n(h)}" fill="${hslToHex(randomHsl(random, [0, 0.3], [0.2, 0.9]))}"/>`);
  }
  body.push(`<svg x="${n(area.left)}" y="${n(tableTop)}" width="${n(area.right - area.left)}" height="${n(area.bottom - tableTop)}" viewBox="${n(area.left)} ${n(tableTop)} ${n(area.right - area.left)} ${n(area.bottom - tableTop)}" overflow="hidden">`);
  body.push(`<rect x="${n(area.left)}" y="${n(tableTop)}" width="${n(area.right - area.left)}" height="${n(area.bottom - tableTop)}" fill="${hslToHex(base)}"/>`);
  body.push(overlay);
  body.push(clutter(random, width, tableTop, height));
  body.push("</svg>");
  if (tableTop > 0) {
    body.push(`<rect x="${n(area.left)}" y="${n(tableTop - 1)}" width="${n(area.right - area.left)}" height="${n(Math.max(1.5, height * 0.01))}" fill="${hslToHex(shade(base, 0.15))}"/>`);
  }
  return { defs, body: body.join(""), texture };
}
