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
  let offset = 0;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - height / 2;
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - width / 2;
      const along = (dx * towardX + dy * towardY) / halfDiagonal;
      const radius = Math.hypot(dx, dy) / halfDiagonal;
      const corner = radius > 0.55 ? ((radius - 0.55) / 0.45) ** 2 : 0;
      const light = gain * (1 + lightStrength * along) * (1 - vignette * corner);
      for (let channel = 0; channel < 3; channel++) {
        const channelTint = channel === 0 ? tintR : channel === 1 ? tintG : tintB;
        const grain = noise > 0 ? noise * (NORMAL_TABLE[(random.next() * 65536) | 0] as number) : 0;
        const value = (pixels[offset] as number) * light * channelTint + bias + grain;
        pixels[offset] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
        offset++;
      }
    }
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
