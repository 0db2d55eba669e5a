// lz4js 0.2 ships no types; these are the two frame-format functions src/bag uses.
declare module "lz4js" {
  /** Decompresses one LZ4 frame into a buffer of at most `maxSize` bytes. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Compresses `src` into one LZ4 frame. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
}
