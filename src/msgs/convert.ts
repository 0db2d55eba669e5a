import type { DecodedImage } from "../image/types";
import type { Box, CompressedImageInput, RawImageInput } from "../runtime/types";
import type { BoundingBox2D, CompressedImage, Header, Image } from "./types";

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

/** Wraps a decoded sensor_msgs/Image as image input; the pixel data is shared, not copied. */
export function imageInputFromImage(image: Image): RawImageInput {
  return {
    kind: "raw",
    encoding: image.encoding,
    width: image.width,
    height: image.height,
    step: image.step,
    isBigEndian: image.is_bigendian !== 0,
    data: image.data,
  };
}

/** Wraps a decoded sensor_msgs/CompressedImage as image input; the data is shared, not copied. */
export function imageInputFromCompressed(image: CompressedImage): CompressedImageInput {
  return { kind: "compressed", format: image.format, data: image.data };
}

/** Builds an rgb8 sensor_msgs/Image, e.g. for a debug image topic; the pixels are shared, not copied. */
export function imageFromRgb(header: Header, image: DecodedImage): Image {
  return {
    header,
    height: image.height,
    width: image.width,
    encoding: "rgb8",
    is_bigendian: 0,
    step: image.width * 3,
    data: image.data,
  };
}
