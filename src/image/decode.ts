import type { ImageInput } from "../runtime/types";
import { validateRawImage } from "./encodings";
import { createInputPipeline } from "./pipeline";
import type { DecodedImage } from "./types";

/**
 * Decodes an image message or file to tightly packed RGB8. `source` (topic or file) is
 * named in every InputError. Unpadded rgb8 is returned without copying, so the result may
 * share memory with `input.data`.
 */
export async function decodeImage(input: ImageInput, source: string): Promise<DecodedImage> {
  if (input.kind === "raw" && input.encoding === "rgb8") {
    validateRawImage(input, source);
    const byteLength = input.width * input.height * 3;
    if (input.step === input.width * 3) {
      const data = Buffer.from(input.data.buffer, input.data.byteOffset, byteLength);
      return { data, width: input.width, height: input.height };
    }
  }

  const pipeline = await createInputPipeline(input, source);
  return pipeline.toRgb();
}
