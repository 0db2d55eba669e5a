/**
 * `~/debug_image`: the grounded frame with its box and label drawn, as rgb8. Decoding and
 * drawing reuse src/image, so the picture matches what `softskip ground --out` writes.
 */
import { decodeImage, drawBox, GROUNDED_COLOR, NOT_FOUND_COLOR } from "../image";
import type { Image } from "../msgs";
import type { FrameInput, GroundingEvent } from "../stream/types";

/** Draws `event`'s box onto `frame` and returns a sensor_msgs/Image with the image's header. */
export async function renderDebugImage(frame: FrameInput, event: GroundingEvent): Promise<Image> {
  const decoded = await decodeImage(frame.image, frame.topic);
  const grounded = event.output.status === "grounded";
  const prefix = grounded ? "" : "not found: ";
  const label = `${prefix}${event.command.expression} (${event.output.score.toFixed(2)})`;
  const pixels = await drawBox(decoded, event.output.box, label, {
    format: "raw",
    color: grounded ? GROUNDED_COLOR : NOT_FOUND_COLOR,
  });
  return {
    header: { stamp: { ...event.header.stamp }, frame_id: event.header.frame_id },
    height: decoded.height,
    width: decoded.width,
    encoding: "rgb8",
    is_bigendian: 0,
    step: decoded.width * 3,
    data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
  };
}
