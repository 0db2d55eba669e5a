/**
 * Drawing primitives shared by the SVG renderer and the mask rasteriser, so that the
 * annotated boxes come from exactly the shapes that are drawn.
 */

/** SVG affine matrix [a, b, c, d, e, f]: x' = a*x + c*y + e, y' = b*x + d*y + f. */
export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

export type Shape =
  | { type: "ellipse"; cx: number; cy: number; rx: number; ry: number }
  | { type: "rect"; x: number; y: number; width: number; height: number }
  /** Flat list x0, y0, x1, y1, ... of a closed polygon. */
  | { type: "polygon"; points: number[] };

/** One filled shape of an object, or an unfilled line when `stroke` is set. */
export interface Part {
  shape: Shape | { type: "polyline"; points: number[] };
  fill?: string;
  stroke?: string;
  /** Line width in the object's local units. */
  strokeWidth?: number;
  opacity?: number;
  /** Whether the part belongs to the object's silhouette (its mask and box). */
  solid: boolean;
}

/** Axis-aligned box as left, top, right, bottom. */
export interface Bounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function multiply(outer: Affine, inner: Affine): Affine {
  const [a1, b1, c1, d1, e1, f1] = outer;
  const [a2, b2, c2, d2, e2, f2] = inner;
  return [
    a1 * a2 + c1 * b2,
    b1 * a2 + d1 * b2,
    a1 * c2 + c1 * d2,
    b1 * c2 + d1 * d2,
    a1 * e2 + c1 * f2 + e1,
    b1 * e2 + d1 * f2 + f1,
  ];
}

export function invert(matrix: Affine): Affine {
  const [a, b, c, d, e, f] = matrix;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) {
    throw new RangeError(`Cannot invert a singular transform ${JSON.stringify(matrix)}; its scale must be non-zero.`);
  }
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

export function translation(dx: number, dy: number): Affine {
  return [1, 0, 0, 1, dx, dy];
}

/** Rotation by `degrees` (clockwise on screen, as in SVG) about (cx, cy). */
export function rotationAbout(degrees: number, cx: number, cy: number): Affine {
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  return [cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy];
}

export function scaling(sx: number, sy: number): Affine {
  return [sx, 0, 0, sy, 0, 0];
}

export function apply(matrix: Affine, x: number, y: number): [number, number] {
  const [a, b, c, d, e, f] = matrix;
  return [a * x + c * y + e, b * x + d * y + f];
}

/** Points along an elliptical arc from angle `from` to `to` (radians, y down), ends included. */
export function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps: number): number[] {
  const points: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const angle = from + ((to - from) * i) / steps;
    points.push(cx + rx * Math.cos(angle), cy + ry * Math.sin(angle));
  }
  return points;
}

export function shapeBounds(shape: Shape | { type: "polyline"; points: number[] }): Bounds {
  switch (shape.type) {
    case "ellipse":
      return { left: shape.cx - shape.rx, top: shape.cy - shape.ry, right: shape.cx + shape.rx, bottom: shape.cy + shape.ry };
    case "rect":
      return { left: shape.x, top: shape.y, right: shape.x + shape.width, bottom: shape.y + shape.height };
    default: {
      const bounds = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
      for (let i = 0; i < shape.points.length; i += 2) {
        const x = shape.points[i] as number;
        const y = shape.points[i + 1] as number;
        bounds.left = Math.min(bounds.left, x);
        bounds.right = Math.max(bounds.right, x);
        bounds.top = Math.min(bounds.top, y);
        bounds.bottom = Math.max(bounds.bottom, y);
      }
      return bounds;
    }
  }
}

export function unionBounds(items: readonly Bounds[]): Bounds {
  return items.reduce(
    (acc, item) => ({
      left: Math.min(acc.left, item.left),
      top: Math.min(acc.top, item.top),
      right: Math.max(acc.right, item.right),
      bottom: Math.max(acc.bottom, item.bottom),
    }),
    { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity },
  );
}

/** Bounds of the solid parts in local units. */
export function silhouetteBounds(parts: readonly Part[]): Bounds {
  return unionBounds(parts.filter((part) => part.solid).map((part) => shapeBounds(part.shape)));
}

/** Image-space bounds of a local box under `matrix`. */
export function transformBounds(matrix: Affine, bounds: Bounds): Bounds {
  const corners = [
    apply(matrix, bounds.left, bounds.top),
    apply(matrix, bounds.right, bounds.top),
    apply(matrix, bounds.left, bounds.bottom),
    apply(matrix, bounds.right, bounds.bottom),
  ];
  return unionBounds(corners.map(([x, y]) => ({ left: x, top: y, right: x, bottom: y })));
}

/** Tests whether the local point lies inside the filled shape (even-odd rule for polygons). */
export function containsPoint(shape: Shape, x: number, y: number): boolean {
  switch (shape.type) {
    case "ellipse": {
      const nx = (x - shape.cx) / shape.rx;
      const ny = (y - shape.cy) / shape.ry;
      return nx * nx + ny * ny <= 1;
    }
    case "rect":
      return x >= shape.x && x <= shape.x + shape.width && y >= shape.y && y <= shape.y + shape.height;
    case "polygon": {
      const points = shape.points;
      let inside = false;
      for (let i = 0, j = points.length - 2; i < points.length; j = i, i += 2) {
        const xi = points[i] as number;
        const yi = points[i + 1] as number;
        const xj = points[j] as number;
        const yj = points[j + 1] as number;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
      return inside;
    }
  }
}
