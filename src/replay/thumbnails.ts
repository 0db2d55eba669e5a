/**
 * Keeps one image per command (the first grounded frame, else the first result) and
 * renders it as a small JPEG with the box drawn, and the ground-truth box where the bag
 * has one, for the HTML report.
 */
import sharp from "sharp";

import { describeError } from "../errors";
import { decodeImage, drawBox, GROUNDED_COLOR, NOT_FOUND_COLOR } from "../image";
import type { Logger } from "../log";
import type { ResultImageSample } from "./types";

/** Report thumbnails are this wide, in pixels; height keeps the aspect ratio. */
const THUMBNAIL_WIDTH = 320;
/** Commands with a thumbnail; later ones are listed without one to keep the page small. */
const MAX_THUMBNAILS = 60;

export interface Thumbnail {
  sample: ResultImageSample;
  /** data: URL of a JPEG, or null when the frame could not be decoded. */
  dataUrl: string | null;
}

export class ThumbnailCollector {
  private readonly samples = new Map<number, ResultImageSample>();

  /** Pass as ReplayOptions.onResultImage. */
  readonly sink = (sample: ResultImageSample): void => {
    const existing = this.samples.get(sample.commandId);
    const better = existing !== undefined && existing.result.status !== "grounded" && sample.result.status === "grounded";
    if ((existing === undefined && this.samples.size < MAX_THUMBNAILS) || better) {
      this.samples.set(sample.commandId, sample);
    }
  };

  async render(logger: Logger): Promise<Thumbnail[]> {
    const thumbnails: Thumbnail[] = [];
    for (const sample of this.samples.values()) {
      thumbnails.push({ sample, dataUrl: await renderThumbnail(sample, logger) });
    }
    return thumbnails;
  }
}

async function renderThumbnail(sample: ResultImageSample, logger: Logger): Promise<string | null> {
  try {
    const image = await decodeImage(sample.image, `command ${sample.commandId}`);
    const label = `${sample.result.expression} (${sample.result.score.toFixed(2)})`;
    const color = sample.result.status === "grounded" ? GROUNDED_COLOR : NOT_FOUND_COLOR;
    // The ground truth, where the bag has it, is drawn dashed in blue beside the result.
    const png = await drawBox(image, sample.result.box, label, { color, reference: sample.result.truthBox ?? null });
    const jpeg = await sharp(png).resize({ width: Math.min(THUMBNAIL_WIDTH, image.width) }).jpeg({ quality: 75 }).toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString("base64")}`;
  } catch (error) {
    logger.warn(`No report thumbnail for command ${sample.commandId}: ${describeError(error)}`);
    return null;
  }
}
