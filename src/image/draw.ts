import sharp from "sharp";

import { ArgumentError } from "../errors";
import type { Box } from "../runtime/types";
import type { DecodedImage } from "./types";

export interface DrawBoxOptions {
  /** "png" (default) for files, "raw" for RGB8 bytes of the same size, e.g. a debug image topic. */
  format?: "png" | "raw";
  /** Outline and label background colour as CSS; default "#00e676" (green). */
  color?: string;
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character]);
}

/** Builds the SVG overlay; sizes scale with the image so the box stays visible on large frames. */
function overlaySvg(width: number, height: number, box: Box | null, label: string, color: string): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 150));
  const fontSize = Math.max(12, Math.round(Math.min(width, height) / 25));
  const parts: string[] = [];

  let labelX = 0;
  let labelY = 0;
  if (box !== null) {
    parts.push(
      `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" ` +
        `fill="none" stroke="${color}" stroke-width="${stroke}"/>`,
    );
    labelX = box.x;
    // Above the box when it fits, otherwise inside its top edge.
    labelY = box.y >= fontSize * 1.4 ? box.y - fontSize * 1.4 : box.y;
  }

  if (label !== "") {
    // Estimated text width: 0.6 em per character, a usual average for sans-serif fonts.
    const labelWidth = Math.min(width, Math.ceil(label.length * fontSize * 0.6 + fontSize * 0.6));
    labelX = Math.max(0, Math.min(labelX, width - labelWidth));
    parts.push(
      `<rect x="${labelX}" y="${labelY}" width="${labelWidth}" height="${fontSize * 1.4}" fill="${color}"/>`,
      `<text x="${labelX + fontSize * 0.3}" y="${labelY + fontSize * 1.1}" font-family="sans-serif" ` +
        `font-size="${fontSize}" fill="#000000">${escapeXml(label)}</text>`,
    );
  }

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
}

/**
 * Draws a box outline and a label onto an RGB8 image with an SVG overlay composited by
 * sharp. `box` is in the image's pixels (null draws only the label, for "not found").
 * Returns PNG bytes, or RGB8 bytes of the same size with `format: "raw"`.
 */
export async function drawBox(
  image: DecodedImage,
  box: Box | null,
  label: string,
  options: DrawBoxOptions = {},
): Promise<Buffer> {
  if (image.data.byteLength < image.width * image.height * 3) {
    throw new ArgumentError(
      `Invalid image for drawBox: ${image.data.byteLength} bytes is less than width * height * 3 = ` +
        `${image.width * image.height * 3}; pass the output of decodeImage.`,
    );
  }
  if (box !== null && ![box.x, box.y, box.width, box.height].every(Number.isFinite)) {
    throw new ArgumentError(`Invalid box ${JSON.stringify(box)} for drawBox: expected finite pixel values.`);
  }

  const svg = overlaySvg(image.width, image.height, box, label, options.color ?? "#00e676");
  const composed = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha();

  if (options.format === "raw") {
    return composed.raw().toBuffer();
  }
  return composed.png().toBuffer();
}
