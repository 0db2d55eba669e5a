/**
 * The size of a plain JPEG, read from its frame header. Decoding then needs no separate
 * sharp metadata() call, a libvips round trip of its own: about 0.2 ms on a 2-core
 * machine, against about 1 ms for decoding a 256x192 JPEG.
 */

/** Width and height of an 8-bit, three-component JPEG that needs no rotation. */
export interface JpegSize {
  width: number;
  height: number;
}

const MARKER = 0xff;
const START_OF_SCAN = 0xda;
const APP1 = 0xe1;
/** "Exif\0\0": an APP1 segment starting with it may contain an orientation, which only sharp reads. */
const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00];

/** Start-of-frame markers C0..CF, except C4 (Huffman tables), C8 (reserved) and CC (arithmetic conditioning). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers without a length field: TEM, RST0..RST7, SOI and EOI. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
}

function startsWith(data: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  return bytes.every((byte, index) => data[offset + index] === byte);
}

/**
 * Returns the size of a JPEG whose decoded pixels are already sRGB in the upright
 * orientation: 8-bit samples, three components, no EXIF segment before the scan. Returns
 * null for every other JPEG (grey, CMYK, 12-bit, EXIF, or a header this reader does not
 * follow), which then goes through sharp's metadata() as before.
 */
export function plainJpegSize(data: Uint8Array): JpegSize | null {
  if (data.length < 4 || data[0] !== MARKER || data[1] !== 0xd8) {
    return null;
  }
  let size: JpegSize | null = null;
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== MARKER) {
      return null;
    }
    const marker = data[offset + 1] as number;
    if (marker === MARKER) {
      // A fill byte before the marker.
      offset += 1;
      continue;
    }
    if (isStandalone(marker)) {
      offset += 2;
      continue;
    }
    if (marker === START_OF_SCAN) {
      return size;
    }
    const length = ((data[offset + 2] as number) << 8) | (data[offset + 3] as number);
    const body = offset + 4;
    if (length < 2 || offset + 2 + length > data.length) {
      return null;
    }
    if (marker === APP1 && startsWith(data, body, EXIF_ID)) {
      return null;
    }
    if (isStartOfFrame(marker)) {
      if (size !== null || length < 8) {
        return null;
      }
      // Precision, height, width, component count.
      const precision = data[body] as number;
      const height = ((data[body + 1] as number) << 8) | (data[body + 2] as number);
      const width = ((data[body + 3] as number) << 8) | (data[body + 4] as number);
      const components = data[body + 5] as number;
      if (precision !== 8 || components !== 3 || width === 0 || height === 0) {
        return null;
      }
      size = { width, height };
    }
    offset += 2 + length;
  }
  return null;
}
