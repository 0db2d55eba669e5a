export { compressedCodec } from "./compressed";
export type { Codec } from "./compressed";
export { decodeImage } from "./decode";
export { drawBox, GROUNDED_COLOR, NOT_FOUND_COLOR } from "./draw";
export type { DrawBoxOptions } from "./draw";
export { MAX_IMAGE_SIDE, SUPPORTED_RAW_ENCODINGS } from "./encodings";
export { boxFromModelPixels, computeLetterboxTransform, letterboxImage, modelPixelsFromBox } from "./letterbox";
export type { DecodedImage, LetterboxResult, LetterboxTarget, LetterboxTransform } from "./types";
