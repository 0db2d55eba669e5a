/** Turns a scene layout into one SVG document for sharp (librsvg) to rasterise. */
import type { Affine, Part } from "./geometry";
import type { SceneLayout } from "./scene";

function n(value: number): string {
  return value.toFixed(3);
}

function matrixAttribute(matrix: Affine): string {
  return `matrix(${matrix.map(n).join(" ")})`;
}

function points(values: readonly number[]): string {
  const pairs: string[] = [];
  for (let i = 0; i < values.length; i += 2) {
    pairs.push(`${n(values[i] as number)},${n(values[i + 1] as number)}`);
  }
  return pairs.join(" ");
}

function partSvg(part: Part): string {
  const opacity = part.opacity === undefined ? "" : ` opacity="${n(part.opacity)}"`;
  const shape = part.shape;
  if (shape.type === "polyline") {
    return `<polyline points="${points(shape.points)}" fill="none" stroke="${part.stroke ?? "#000"}" stroke-width="${n(part.strokeWidth ?? 0.02)}" stroke-linecap="round"${opacity}/>`;
  }
  const paint = `fill="${part.fill ?? "#000"}"${opacity}`;
  switch (shape.type) {
    case "ellipse":
      return `<ellipse cx="${n(shape.cx)}" cy="${n(shape.cy)}" rx="${n(shape.rx)}" ry="${n(shape.ry)}" ${paint}/>`;
    case "rect":
      return `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.width)}" height="${n(shape.height)}" ${paint}/>`;
    case "polygon":
      return `<polygon points="${points(shape.points)}" ${paint}/>`;
  }
}

/**
 * Renders the layout with `camera` (table pixels to image pixels); the bag writer passes a
 * jittered camera per frame, the dataset the layout's own.
 */
export function sceneSvg(layout: SceneLayout, camera: Affine = layout.camera): string {
  const { width, height, look } = layout;
  // Light falloff and vignetting are applied per pixel in render.ts, which is cheaper than SVG gradients.
  const defs = [
    `<radialGradient id="shadow"><stop offset="0" stop-color="#000" stop-opacity="1"/><stop offset="0.6" stop-color="#000" stop-opacity="0.6"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>`,
    layout.background.defs,
  ];
  const body: string[] = [`<g transform="${matrixAttribute(camera)}">`, layout.background.body];
  for (const object of layout.objects) {
    const { cx, cy, rx, ry } = object.shadow;
    body.push(`<ellipse cx="${n(cx)}" cy="${n(cy)}" rx="${n(rx)}" ry="${n(ry)}" fill="url(#shadow)" opacity="${n(look.shadowOpacity)}"/>`);
  }
  for (const object of layout.objects) {
    body.push(`<g transform="${matrixAttribute(object.placement)}">${object.parts.map(partSvg).join("")}</g>`);
  }
  body.push("</g>");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs>${defs.join("")}</defs>${body.join("")}</svg>`;
}
