import sharp from "sharp";

import { ArgumentError } from "../errors";
import type { Box } from "../runtime/types";
import type { DecodedImage } from "./types";

/** Colour of a box that reached the score threshold (green). */
export const GROUNDED_COLOR = "#00e676";
/** Colour of a best box below the score threshold, drawn to show what the model considered (orange). */
export const NOT_FOUND_COLOR = "#ff9800";
/** Colour of a reference box, such as the ground truth, drawn dashed (blue). */
export const REFERENCE_COLOR = "#2979ff";

export interface DrawBoxOptions {
  /** "png" (default) for files, "raw" for RGB8 bytes of the same size, e.g. a debug image topic. */
  format?: "png" | "raw";
  /** Outline and label background colour as CSS; default GROUNDED_COLOR. */
  color?: string;
  /** A second box drawn dashed, such as the ground truth to compare with; none by default. */
  reference?: Box | null;
  /** Colour of the reference box as CSS; default REFERENCE_COLOR. */
  referenceColor?: string;
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
function overlaySvg(width: number, height: number, box: Box | null, label: string, color: string, reference: { box: Box; color: string } | null): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 150));
  // Estimated text width: 0.6 em per character, a usual average for sans-serif fonts. The
  // font shrinks, down to 8 px, so that a long label still fits across a small image.
  const usualSize = Math.max(12, Math.round(Math.min(width, height) / 25));
  const fittingSize = Math.floor(width / (0.6 * (label.length + 1)));
  const fontSize = Math.max(8, Math.min(usualSize, fittingSize));
  const parts: string[] = [];

  if (reference !== null) {
    const { x, y, width: boxWidth, height: boxHeight } = reference.box;
    parts.push(
      `<rect x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" fill="none" stroke="${reference.color}" ` +
        `stroke-width="${stroke}" stroke-dasharray="${stroke * 3} ${stroke * 2}"/>`,
    );
  }

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
  const reference = options.reference ?? null;
  for (const [name, candidate] of [["box", box], ["reference", reference]] as const) {
    if (candidate !== null && ![candidate.x, candidate.y, candidate.width, candidate.height].every(Number.isFinite)) {
      throw new ArgumentError(`Invalid ${name} ${JSON.stringify(candidate)} for drawBox: expected finite pixel values.`);
    }
  }

  const svg = overlaySvg(image.width, image.height, box, label, options.color ?? GROUNDED_COLOR, reference === null ? null : { box: reference, color: options.referenceColor ?? REFERENCE_COLOR });
  const composed = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha();

  if (options.format === "raw") {
    return composed.raw().toBuffer();
  }
  return composed.png().toBuffer();
}
