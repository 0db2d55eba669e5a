/**
 * Rasterises object silhouettes to find what the camera actually sees of each object:
 * objects are painted back to front into a label image, so a pixel belongs to the
 * front-most object covering its centre. The visible box is the tight extent of an
 * object's labelled pixels.
 */
import { containsPoint, invert, multiply, shapeBounds, silhouetteBounds, transformBounds, type Affine, type Bounds, type Part, type Shape } from "./geometry";

export interface MaskInput {
  parts: readonly Part[];
  /** Local units to image pixels. */
  matrix: Affine;
}

export interface Visibility {
  /** Tight box of the visible pixels in image pixels, or null when none is visible. */
  box: Bounds | null;
  /** Visible pixels. */
  visibleArea: number;
  /** Pixels the object would cover with nothing in front of it, inside the image or not. */
  fullArea: number;
}

/** Computes the visible extent of each object; `objects` are in painting order (back first). */
export function computeVisibility(objects: readonly MaskInput[], width: number, height: number): Visibility[] {
  const labels = new Int16Array(width * height).fill(-1);
  const fullAreas: number[] = [];
  const regions: (Bounds | null)[] = [];

  objects.forEach((object, index) => {
    const shapes = object.parts.filter((part) => part.solid).map((part) => part.shape as Shape);
    // Local bounds of each shape, so that most pixels skip the exact test.
    const shapeBoxes = shapes.map((shape) => shapeBounds(shape));
    const bounds = transformBounds(object.matrix, silhouetteBounds(object.parts));
    const inverse = invert(object.matrix);
    const [a, b, c, d, e, f] = inverse;
    const x0 = Math.floor(bounds.left);
    const x1 = Math.ceil(bounds.right);
    const y0 = Math.floor(bounds.top);
    const y1 = Math.ceil(bounds.bottom);
    let full = 0;
    for (let y = y0; y < y1; y++) {
      const py = y + 0.5;
      const insideRow = y >= 0 && y < height;
      for (let x = x0; x < x1; x++) {
        const px = x + 0.5;
        const lx = a * px + c * py + e;
        const ly = b * px + d * py + f;
        let hit = false;
        for (let i = 0; i < shapes.length; i++) {
          const box = shapeBoxes[i] as Bounds;
          if (lx < box.left || lx > box.right || ly < box.top || ly > box.bottom) {
            continue;
          }
          if (containsPoint(shapes[i] as Shape, lx, ly)) {
            hit = true;
            break;
          }
        }
        if (!hit) {
          continue;
        }
        full++;
        if (insideRow && x >= 0 && x < width) {
          labels[y * width + x] = index;
        }
      }
    }
    fullAreas.push(full);
    regions.push({ left: Math.max(0, x0), top: Math.max(0, y0), right: Math.min(width, x1), bottom: Math.min(height, y1) });
  });

  return objects.map((_, index) => {
    const region = regions[index] as Bounds;
    let visible = 0;
    let left = Infinity;
    let top = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    for (let y = region.top; y < region.bottom; y++) {
      for (let x = region.left; x < region.right; x++) {
        if (labels[y * width + x] !== index) {
          continue;
        }
        visible++;
        left = Math.min(left, x);
        right = Math.max(right, x + 1);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y + 1);
      }
    }
    const box = visible > 0 ? { left, top, right, bottom } : null;
    return { box, visibleArea: visible, fullArea: fullAreas[index] as number };
  });
}

/** Composes the camera transform with each object's placement. */
export function withCamera(camera: Affine, placements: readonly { parts: readonly Part[]; placement: Affine }[]): MaskInput[] {
  return placements.map((object) => ({ parts: object.parts, matrix: multiply(camera, object.placement) }));
}
