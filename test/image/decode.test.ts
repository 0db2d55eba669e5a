import { strict as assert } from "node:assert";
import { statSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";

import sharp from "sharp";

import { InputError } from "../../src/errors";
import { decodeImage, letterboxImage } from "../../src/image";
import type { ImageInput, RawImageInput } from "../../src/runtime/types";
import { greyFromRed, rawImage, rgbPattern } from "./helpers";

const WIDTH = 7;
const HEIGHT = 5;
const RGB = rgbPattern(WIDTH, HEIGHT);
const SOURCE = "/camera/image_raw";

/** Asserts that decoding rejects with an InputError carrying these fields and message fragment. */
async function assertRejects(
  input: ImageInput,
  field: string,
  reason: string,
  fragment: string | RegExp,
  source = SOURCE,
): Promise<void> {
  await assert.rejects(decodeImage(input, source), (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.source, source);
    assert.equal(error.field, field);
    assert.equal(error.reason, reason);
    if (typeof fragment === "string") {
      assert.ok(error.message.includes(fragment), error.message);
    } else {
      assert.match(error.message, fragment);
    }
    return true;
  });
}

describe("image/decodeImage raw", () => {
  for (const encoding of ["rgb8", "bgr8", "rgba8", "bgra8", "8UC3"]) {
    for (const padding of [0, 5, 12]) {
      it(`decodes ${encoding} with ${padding} padding bytes per row`, async () => {
        const decoded = await decodeImage(rawImage(RGB, WIDTH, HEIGHT, encoding, padding), SOURCE);
        assert.equal(decoded.width, WIDTH);
        assert.equal(decoded.height, HEIGHT);
        assert.deepEqual(decoded.data, RGB);
      });
    }
  }

  for (const encoding of ["mono8", "8UC1"]) {
    for (const padding of [0, 3]) {
      it(`decodes ${encoding} with ${padding} padding bytes per row to grey RGB`, async () => {
        const decoded = await decodeImage(rawImage(RGB, WIDTH, HEIGHT, encoding, padding), SOURCE);
        assert.deepEqual(decoded.data, greyFromRed(RGB));
      });
    }
  }

  it("accepts is_bigendian for 8-bit data", async () => {
    const input = { ...rawImage(RGB, WIDTH, HEIGHT, "bgr8"), isBigEndian: true };
    assert.deepEqual((await decodeImage(input, SOURCE)).data, RGB);
  });

  it("ignores data beyond step * height", async () => {
    const input = rawImage(RGB, WIDTH, HEIGHT, "rgb8");
    const longer = new Uint8Array(input.data.length + 9);
    longer.set(input.data);
    assert.deepEqual((await decodeImage({ ...input, data: longer }, SOURCE)).data, RGB);
  });

  it("reads data at a byte offset", async () => {
    const input = rawImage(RGB, WIDTH, HEIGHT, "bgr8", 2);
    const backing = new Uint8Array(input.data.length + 3);
    backing.set(input.data, 3);
    assert.deepEqual((await decodeImage({ ...input, data: backing.subarray(3) }, SOURCE)).data, RGB);
  });

  for (const encoding of ["mono16", "16UC1", "32FC1", "yuv422", "yuv422_yuy2", "bayer_rggb8", "RGB8", ""]) {
    it(`rejects encoding ${JSON.stringify(encoding)}`, async () => {
      const input: RawImageInput = { ...rawImage(RGB, WIDTH, HEIGHT, "rgb8"), encoding };
      await assertRejects(input, "encoding", "unsupported_encoding", `"${encoding}"`);
      await assertRejects(input, "encoding", "unsupported_encoding", "rgb8, bgr8, rgba8, bgra8, mono8, 8UC1, 8UC3");
    });
  }

  it("rejects pixel data that is not bytes", async () => {
    const input = rawImage(RGB, WIDTH, HEIGHT, "rgb8");
    await assertRejects({ ...input, data: Array.from(input.data) as unknown as Uint8Array }, "data", "invalid_data", "an array of numbers, not bytes");
  });

  it("rejects data shorter than step * height", async () => {
    const input = rawImage(RGB, WIDTH, HEIGHT, "rgb8");
    await assertRejects({ ...input, data: input.data.subarray(0, 30) }, "data", "size_mismatch", "30 bytes");
  });

  it("rejects the real 640x480 image with 30 bytes", async () => {
    // Same fields as /test/sensor_msgs/image in the rosbags-rs test bag.
    const input: RawImageInput = {
      kind: "raw",
      encoding: "rgb8",
      width: 640,
      height: 480,
      step: 1920,
      isBigEndian: false,
      data: new Uint8Array(30),
    };
    await assertRejects(input, "data", "size_mismatch", "1920 * 480 = 921600");
  });

  it("rejects step below width * channels", async () => {
    const input = { ...rawImage(RGB, WIDTH, HEIGHT, "rgb8"), step: WIDTH * 3 - 1 };
    await assertRejects(input, "step", "invalid_step", "at least 21 bytes per row");
  });

  it("rejects a fractional step", async () => {
    const input = { ...rawImage(RGB, WIDTH, HEIGHT, "rgb8"), step: 21.5 };
    await assertRejects(input, "step", "invalid_step", "21.5");
  });

  const badSizes: Array<["width" | "height", number, string]> = [
    ["width", 0, "1..8192"],
    ["height", 0, "1..8192"],
    ["width", 8193, "1..8192"],
    ["height", 100_000, "1..8192"],
    ["width", 2.5, "whole number"],
    ["height", Number.NaN, "whole number"],
  ];
  for (const [field, value, fragment] of badSizes) {
    it(`rejects ${field} ${value}`, async () => {
      const input = { ...rawImage(RGB, WIDTH, HEIGHT, "rgb8"), [field]: value };
      await assertRejects(input, field, "invalid_size", fragment);
    });
  }
});

describe("image/decodeImage compressed", () => {
  let png: Buffer;
  let jpeg: Buffer;
  let bigRgb: Buffer;

  before(async () => {
    bigRgb = rgbPattern(64, 48);
    const raw = { raw: { width: 64, height: 48, channels: 3 as const } };
    png = await sharp(bigRgb, raw).png().toBuffer();
    jpeg = await sharp(bigRgb, raw).jpeg({ quality: 95 }).toBuffer();
  });

  for (const format of ["png", "bgr8; png compressed bgr8", "PNG", ""]) {
    it(`decodes PNG with format ${JSON.stringify(format)}`, async () => {
      const decoded = await decodeImage({ kind: "compressed", format, data: png }, SOURCE);
      assert.equal(decoded.width, 64);
      assert.deepEqual(decoded.data, bigRgb);
    });
  }

  for (const format of ["jpeg", "JPEG", "jpg", "rgb8; jpeg compressed bgr8", ""]) {
    it(`decodes JPEG with format ${JSON.stringify(format)}`, async () => {
      const decoded = await decodeImage({ kind: "compressed", format, data: jpeg }, SOURCE);
      assert.equal(decoded.height, 48);
      const reference = await sharp(jpeg).raw().toBuffer();
      assert.deepEqual(decoded.data, reference);
    });
  }

  it("rejects a PNG wider than the side limit by its header, before decoding", async () => {
    // Signature, a 20000x20000 RGB header, the start of its rows and IEND: sharp's pixel
    // limit would fail first.
    const chunk = (type: string, body: Buffer): Buffer => {
      const typed = Buffer.concat([Buffer.from(type, "latin1"), body]);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(typed));
      return Buffer.concat([length, typed, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(20000, 0);
    header.writeUInt32BE(20000, 4);
    header.set([8, 2, 0, 0, 0], 8);
    const rows = chunk("IDAT", deflateSync(Buffer.alloc(64)));
    const data = Buffer.concat([png.subarray(0, 8), chunk("IHDR", header), rows, chunk("IEND", Buffer.alloc(0))]);
    await assertRejects({ kind: "compressed", format: "png", data }, "width", "invalid_size", /20000 .*expected 1\.\.8192 pixels; downscale the image/);
  });

  it("trusts the data over a wrong format", async () => {
    const decoded = await decodeImage({ kind: "compressed", format: "jpeg", data: png }, SOURCE);
    assert.deepEqual(decoded.data, bigRgb);
  });

  it("decodes grey PNG to RGB", async () => {
    const grey = await sharp(Buffer.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const decoded = await decodeImage({ kind: "compressed", format: "png", data: grey }, SOURCE);
    assert.deepEqual(Array.from(decoded.data), [0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);
  });

  it("converts CMYK JPEG to RGB", async () => {
    const cmyk = await sharp(bigRgb, { raw: { width: 64, height: 48, channels: 3 } }).toColourspace("cmyk").jpeg().toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, "cmyk", "the fixture must be a CMYK JPEG");
    const decoded = await decodeImage({ kind: "compressed", format: "jpeg", data: cmyk }, SOURCE);
    assert.equal(decoded.data.length, 64 * 48 * 3);
  });

  it("drops alpha of RGBA PNG", async () => {
    const rgba = await sharp(Buffer.from([10, 20, 30, 0, 40, 50, 60, 255]), { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    const decoded = await decodeImage({ kind: "compressed", format: "png", data: rgba }, SOURCE);
    assert.deepEqual(Array.from(decoded.data), [10, 20, 30, 40, 50, 60]);
  });

  it("rejects compressedDepth", async () => {
    await assertRejects({ kind: "compressed", format: "16UC1; compressedDepth png", data: png }, "format", "unsupported_format", "compressedDepth");
  });

  it("rejects a 16-bit original encoding", async () => {
    await assertRejects({ kind: "compressed", format: "16UC1; png compressed ", data: png }, "format", "unsupported_format", "16UC1 is not 8-bit");
  });

  it("rejects 16-bit PNG data", async () => {
    const deep = await sharp(Buffer.alloc(2 * 2 * 3 * 2, 0x40), { raw: { width: 2, height: 2, channels: 3 } })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    const depth = (await sharp(deep).metadata()).depth;
    assert.equal(depth, "ushort", "the fixture must be a 16-bit PNG");
    await assertRejects({ kind: "compressed", format: "png", data: deep }, "data", "unsupported_depth", "more than 8 bits");
  });

  it("rejects unknown codecs", async () => {
    await assertRejects({ kind: "compressed", format: "webp", data: png }, "format", "unsupported_format", '"webp"');
    await assertRejects({ kind: "compressed", format: "rgb8; theora compressed rgb8", data: png }, "format", "unsupported_format", '"theora"');
  });

  it("rejects a compressed image without a format", async () => {
    await assertRejects({ kind: "compressed", data: Buffer.from("x") } as unknown as ImageInput, "format", "invalid_format", 'set format to "jpeg" or "png"');
  });

  it("rejects empty data", async () => {
    await assertRejects({ kind: "compressed", format: "jpeg", data: new Uint8Array() }, "data", "empty_data", "no data");
  });

  it("rejects data without a signature", async () => {
    await assertRejects({ kind: "compressed", format: "", data: Buffer.from("not an image") }, "data", "corrupt_data", "neither a JPEG");
  });

  it("rejects a truncated JPEG header", async () => {
    // The 10 bytes of /test/sensor_msgs/compressed_image in the rosbags-rs test bag.
    const data = Buffer.from("ffd8ffe000104a464946", "hex");
    await assertRejects({ kind: "compressed", format: "jpeg", data }, "data", "corrupt_data", "JPEG data");
  });

  it("rejects a JPEG cut in half", async () => {
    const data = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    await assertRejects({ kind: "compressed", format: "jpeg", data }, "data", "corrupt_data", "truncated or corrupt");
  });

  it("rejects a PNG cut in half", async () => {
    const data = png.subarray(0, Math.floor(png.length / 2));
    await assertRejects({ kind: "compressed", format: "png", data }, "data", "corrupt_data", "PNG data");
  });
});

describe("image/decodeImage file", () => {
  let directory: string;

  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "softskip-image-"));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("decodes a PNG file", async () => {
    const file = path.join(directory, "pattern.png");
    await sharp(RGB, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).png().toFile(file);
    const decoded = await decodeImage({ kind: "file", path: file }, file);
    assert.deepEqual(decoded.data, RGB);
  });

  it("decodes a JPEG file", async () => {
    const file = path.join(directory, "pattern.jpg");
    await sharp(RGB, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 100 }).toFile(file);
    const decoded = await decodeImage({ kind: "file", path: file }, file);
    assert.equal(decoded.width, WIDTH);
    assert.deepEqual(decoded.data, await sharp(file).raw().toBuffer());
  });

  it("decodes a file over 1 MiB", async () => {
    // Noise does not compress, so this PNG is over 1 MiB and is read asynchronously.
    const side = 640;
    const noise = Buffer.alloc(side * side * 3);
    for (let i = 0; i < noise.length; i += 1) {
      noise[i] = (i * 2654435761) >>> 24;
    }
    const file = path.join(directory, "noise.png");
    await sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toFile(file);
    const decoded = await decodeImage({ kind: "file", path: file }, file);
    assert.ok(statSync(file).size > 1 << 20);
    assert.deepEqual(decoded.data, noise);
  });

  it("applies EXIF orientation", async () => {
    // Orientation 6 stores the picture rotated; viewers turn it 90 degrees clockwise.
    const file = path.join(directory, "rotated.jpg");
    const stored = Buffer.alloc(8 * 4 * 3, 0);
    stored.fill(255, 0, 3);
    await sharp(stored, { raw: { width: 8, height: 4, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(file);

    const decoded = await decodeImage({ kind: "file", path: file }, file);
    assert.equal(decoded.width, 4);
    assert.equal(decoded.height, 8);
    const boxed = await letterboxImage({ kind: "file", path: file }, { width: 16, height: 16, padValue: 0 }, file);
    assert.equal(boxed.originalWidth, 4);
    assert.equal(boxed.originalHeight, 8);
    assert.equal(boxed.transform.padX, 4);
  });

  it("rejects a missing file naming the path", async () => {
    const file = path.join(directory, "missing.png");
    await assertRejects({ kind: "file", path: file }, "path", "not_found", file, file);
  });

  it("rejects a directory", async () => {
    await assertRejects({ kind: "file", path: directory }, "path", "not_found", "not a regular file", directory);
  });

  it("rejects an empty file as empty", async () => {
    const file = path.join(directory, "empty.png");
    await writeFile(file, "");
    await assertRejects({ kind: "file", path: file }, "data", "empty_data", "is empty", file);
  });

  it("rejects a file that is not an image", async () => {
    const file = path.join(directory, "notes.txt");
    await writeFile(file, "grab the red cup\n");
    await assertRejects({ kind: "file", path: file }, "data", "corrupt_data", file, file);
  });

  it("rejects an unknown input kind", async () => {
    const input = { kind: "url", url: "http://localhost/x.png" } as unknown as ImageInput;
    await assertRejects(input, "kind", "unsupported_input", '"url"');
  });
});
