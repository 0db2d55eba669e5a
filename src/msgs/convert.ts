import type { Box } from "../runtime/types";
import type { BoundingBox2D } from "./types";

/** Converts a top-left box in pixels to a vision_msgs 4.x BoundingBox2D (centre and size). */
export function boundingBoxFromBox(box: Box): BoundingBox2D {
  return {
    center: { position: { x: box.x + box.width / 2, y: box.y + box.height / 2 }, theta: 0 },
    size_x: box.width,
    size_y: box.height,
  };
}

/** Converts a BoundingBox2D (centre and size, rotation ignored) to a top-left box in pixels. */
export function boxFromBoundingBox(bbox: BoundingBox2D): Box {
  return {
    x: bbox.center.position.x - bbox.size_x / 2,
    y: bbox.center.position.y - bbox.size_y / 2,
    width: bbox.size_x,
    height: bbox.size_y,
  };
}
