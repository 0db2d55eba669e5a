/** Colour arithmetic for drawing: HSL shades rendered as SVG hex strings. */
import { COLOR_HSL, type ColorName } from "./catalog";
import type { Random } from "./random";

/** Hue in degrees, saturation and lightness in 0..1. */
export interface Hsl {
  h: number;
  s: number;
  l: number;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

export function hslToHex({ h, s, l }: Hsl): string {
  const hue = ((h % 360) + 360) % 360;
  const chroma = (1 - Math.abs(2 * l - 1)) * s;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = l - chroma / 2;
  const sector = Math.floor(hue / 60);
  const [r, g, b] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ][sector] as [number, number, number];
  const hex = (channel: number): string =>
    Math.round(clamp01(channel + m) * 255)
      .toString(16)
      .padStart(2, "0");
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

/** Shifts lightness by `delta` (-1..1), keeping hue and saturation. */
export function shade(color: Hsl, delta: number): Hsl {
  return { h: color.h, s: color.s, l: clamp01(color.l + delta) };
}

/** Largest hue change in degrees that keeps a colour name recognisable. */
function hueJitterOf(name: ColorName, saturation: number): number {
  if (saturation < 0.2) {
    // Achromatic names barely show their hue, so it can move freely.
    return 30;
  }
  // Red, orange and yellow are close together on the hue circle.
  if (name === "red" || name === "orange" || name === "yellow") {
    return 5;
  }
  return 10;
}

/** Draws a shade of a colour name, jittered so that no two objects look identical. */
export function jitterColor(random: Random, name: ColorName): Hsl {
  const [h, s, l] = COLOR_HSL[name];
  const hueJitter = hueJitterOf(name, s);
  return {
    h: h + random.range(-hueJitter, hueJitter),
    s: clamp01(s + random.range(-0.08, 0.08)),
    l: clamp01(l + random.range(-0.06, 0.06)),
  };
}

/** Draws a random colour within saturation and lightness ranges, for tables, walls and clutter. */
export function randomHsl(random: Random, saturation: [number, number], lightness: [number, number]): Hsl {
  return { h: random.range(0, 360), s: random.range(...saturation), l: random.range(...lightness) };
}
