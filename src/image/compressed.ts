import { InputError } from "../errors";
import { requireBytes } from "./encodings";

export type Codec = "jpeg" | "png";

/** Encodings with more than 8 bits per channel, which the grounding model cannot take. */
const DEEP_ENCODINGS = /^(mono16|16UC\d|16SC\d|32FC\d|32SC\d|64FC\d)$/i;

function sniffCodec(data: Uint8Array): Codec | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
    return "jpeg";
  }
  const pngMagic = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (data.length >= pngMagic.length && pngMagic.every((byte, index) => data[index] === byte)) {
    return "png";
  }
  return undefined;
}

function codecFromWord(word: string): Codec | "unknown" | undefined {
  if (word === "") {
    return undefined;
  }
  if (word === "jpeg" || word === "jpg") {
    return "jpeg";
  }
  if (word === "png") {
    return "png";
  }
  return "unknown";
}

function unsupportedFormat(source: string, format: string, reason: string): InputError {
  return new InputError(
    source,
    "format",
    "unsupported_format",
    `Unsupported compressed image format ${JSON.stringify(format)} on ${source}: ${reason}. ` +
      `Supported: 8-bit colour or grey JPEG and PNG ("jpeg", "png", "rgb8; jpeg compressed bgr8", ` +
      `"bgr8; png compressed bgr8", or empty to detect from the data).`,
  );
}

/**
 * Finds the codec of a sensor_msgs/CompressedImage. `format` is either a codec name
 * ("jpeg", "png", any case) or image_transport's "<original encoding>; <codec> compressed
 * <target encoding>". The codec is then read from the magic bytes (FF D8 FF for JPEG,
 * 89 50 4E 47 0D 0A 1A 0A for PNG), which also resolve an empty format. The magic bytes win
 * over the format string, because publishers mislabel data more often than they corrupt it.
 * compressedDepth and 16-bit or float encodings are rejected as unsupported.
 */
export function compressedCodec(format: string, data: Uint8Array, source: string): Codec {
  const formatValue: unknown = format;
  if (typeof formatValue !== "string") {
    throw new InputError(source, "format", "invalid_format", `Compressed image on ${source} has format ${String(formatValue)}, not text: set format to "jpeg" or "png".`);
  }
  requireBytes(data, "Compressed image data", source);
  const normalized = format.trim().toLowerCase();
  if (normalized.includes("compresseddepth")) {
    throw unsupportedFormat(source, format, "compressedDepth carries depth, not a camera picture");
  }

  let codecWord = normalized;
  const separator = normalized.indexOf(";");
  if (separator >= 0) {
    const originalEncoding = format.trim().slice(0, separator).trim();
    if (DEEP_ENCODINGS.test(originalEncoding)) {
      throw unsupportedFormat(source, format, `the original encoding ${originalEncoding} is not 8-bit`);
    }
    codecWord = normalized.slice(separator + 1).trim().split(/\s+/)[0] ?? "";
  }
  const declared = codecFromWord(codecWord);
  if (declared === "unknown") {
    throw unsupportedFormat(source, format, `codec ${JSON.stringify(codecWord)} is not JPEG or PNG`);
  }

  if (data.byteLength === 0) {
    throw new InputError(source, "data", "empty_data", `Compressed image on ${source} has no data.`);
  }
  const sniffed = sniffCodec(data);
  if (sniffed !== undefined) {
    return sniffed;
  }
  throw new InputError(
    source,
    "data",
    "corrupt_data",
    `Compressed image on ${source} (format ${JSON.stringify(format)}, ${data.byteLength} bytes) starts with ` +
      `neither a JPEG (FF D8 FF) nor a PNG signature: the data is corrupt or not an image.`,
  );
}
