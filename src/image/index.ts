export { compressedCodec } from "./compressed";
export type { Codec } from "./compressed";
export { decodeImage } from "./decode";
export { drawBox } from "./draw";
export type { DrawBoxOptions } from "./draw";
export { MAX_IMAGE_SIDE, SUPPORTED_RAW_ENCODINGS } from "./encodings";
export { boxFromModelPixels, computeLetterboxTransform, letterboxImage, modelPixelsFromBox } from "./letterbox";
export type { DecodedImage, LetterboxResult, LetterboxTarget, LetterboxTransform } from "./types";
