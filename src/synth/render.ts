/**
 * Rasterises a scene with sharp and applies the photographic look: exposure, light
 * colour, sensor noise and blur. Output is a JPEG or raw RGB pixels.
 */
import sharp from "sharp";
import type { Affine } from "./geometry";
import { Random } from "./random";
import type { SceneLayout } from "./scene";
import { sceneSvg } from "./svg";

/** Standard normal samples, drawn once; noise indexes it with the scene's generator. */
const NORMAL_TABLE: Float32Array = (() => {
  const random = new Random(0x5eed);
  const table = new Float32Array(65536);
  for (let i = 0; i < table.length; i++) {
    table[i] = random.normal();
  }
  return table;
})();

/** Rounds to a byte value, saturating at 0 and 255. */
function clampByte(value: number): number {
  if (value < 0) {
    return 0;
  }
  if (value > 255) {
    return 255;
  }
  return Math.round(value);
}

/** Per-pixel offsets from the image centre and vignette weights, which depend only on the image size. */
interface PixelGrid {
  dx: Float64Array;
  dy: Float64Array;
  corner: Float64Array;
}

const grids = new Map<string, PixelGrid>();

function pixelGrid(width: number, height: number): PixelGrid {
  const key = `${width}x${height}`;
  const cached = grids.get(key);
  if (cached !== undefined) {
    return cached;
  }
  const halfDiagonal = Math.hypot(width, height) / 2;
  const grid: PixelGrid = { dx: new Float64Array(width * height), dy: new Float64Array(width * height), corner: new Float64Array(width * height) };
  let pixel = 0;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - height / 2;
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - width / 2;
      const radius = Math.hypot(dx, dy) / halfDiagonal;
      grid.dx[pixel] = dx;
      grid.dy[pixel] = dy;
      grid.corner[pixel] = radius > 0.55 ? ((radius - 0.55) / 0.45) ** 2 : 0;
      pixel++;
    }
  }
  grids.set(key, grid);
  return grid;
}

/**
 * Applies exposure, light falloff, vignetting, tint and noise in place to packed RGB
 * pixels. Light brightens the side it comes from and darkens the other by up to
 * `lightStrength`; the vignette darkens the corners by up to `vignette`.
 */
function applyLook(pixels: Buffer, layout: SceneLayout, random: Random): void {
  const { width, height } = layout;
  const { gain, bias, tint, noise, lightAngle, lightStrength, vignette } = layout.look;
  const radians = (lightAngle * Math.PI) / 180;
  // Unit vector towards the light in image coordinates (x right, y down).
  const towardX = -Math.cos(radians);
  const towardY = -Math.sin(radians);
  const halfDiagonal = Math.hypot(width, height) / 2;
  const [tintR, tintG, tintB] = tint;
  const grid = pixelGrid(width, height);
  const pixelCount = width * height;
  const uniforms = new Float64Array(noise > 0 ? pixelCount * 3 : 0);
  random.fill(uniforms);
  const grain = (index: number): number => (noise > 0 ? noise * (NORMAL_TABLE[((uniforms[index] as number) * 65536) | 0] as number) : 0);
  let offset = 0;
  for (let pixel = 0; pixel < pixelCount; pixel++) {
    const along = ((grid.dx[pixel] as number) * towardX + (grid.dy[pixel] as number) * towardY) / halfDiagonal;
    const light = gain * (1 + lightStrength * along) * (1 - vignette * (grid.corner[pixel] as number));
    pixels[offset] = clampByte((pixels[offset] as number) * light * tintR + bias + grain(offset));
    pixels[offset + 1] = clampByte((pixels[offset + 1] as number) * light * tintG + bias + grain(offset + 1));
    pixels[offset + 2] = clampByte((pixels[offset + 2] as number) * light * tintB + bias + grain(offset + 2));
    offset += 3;
  }
}

export interface RenderOptions {
  /** Table pixels to image pixels; default the layout's camera. */
  camera?: Affine;
  /** Output "jpeg" (with `quality`, 1..100, default 90) or packed "rgb" bytes. */
  format: "jpeg" | "rgb";
  quality?: number;
}

/** Renders the scene; `random` drives the noise only, so the layout stays independent of it. */
export async function renderScene(layout: SceneLayout, random: Random, options: RenderOptions): Promise<Buffer> {
  const svg = Buffer.from(sceneSvg(layout, options.camera ?? layout.camera));
  const { data, info } = await sharp(svg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== layout.width || info.height !== layout.height || info.channels !== 3) {
    throw new Error(`sharp rendered ${info.width}x${info.height}x${info.channels} but the scene is ${layout.width}x${layout.height}x3.`);
  }
  applyLook(data, layout, random);

  let image = sharp(data, { raw: { width: layout.width, height: layout.height, channels: 3 } });
  if (layout.look.blur >= 0.3) {
    image = image.blur(layout.look.blur);
  }
  if (options.format === "rgb") {
    return image.raw().toBuffer();
  }
  return image.jpeg({ quality: options.quality ?? 90 }).toBuffer();
}
