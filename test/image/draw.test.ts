import { strict as assert } from "node:assert";

import sharp from "sharp";

import { ArgumentError } from "../../src/errors";
import { drawBox } from "../../src/image";
import type { DecodedImage } from "../../src/image";
import { pixelAt } from "./helpers";
import { errorMatching } from "../msgs/errorMatchers";

function greyImage(width: number, height: number): DecodedImage {
  return { data: Buffer.alloc(width * height * 3, 60), width, height };
}

describe("image/drawBox", () => {
  it("draws the outline and keeps other pixels", async () => {
    const image = greyImage(200, 150);
    const png = await drawBox(image, { x: 50, y: 60, width: 80, height: 40 }, "");
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });

    assert.equal(info.width, 200);
    assert.equal(info.height, 150);
    assert.equal(info.channels, 3);
    const edge = pixelAt(data, 200, 90, 60);
    assert.ok(edge[1] > 150, `edge pixel ${edge.join(",")} lacks green`);
    assert.ok(edge[0] < 100, `edge pixel ${edge.join(",")} has red`);
    assert.deepEqual(pixelAt(data, 200, 90, 80), [60, 60, 60]);
    assert.deepEqual(pixelAt(data, 200, 5, 140), [60, 60, 60]);
  });

  it("draws the label background above the box", async () => {
    const image = greyImage(200, 150);
    const raw = await drawBox(image, { x: 50, y: 60, width: 80, height: 40 }, "the <red> cup & co", { format: "raw" });
    assert.equal(raw.length, 200 * 150 * 3);
    const labelPixel = pixelAt(raw, 200, 52, 50);
    assert.notDeepEqual(labelPixel, [60, 60, 60]);
  });

  it("draws only the label without a box", async () => {
    const raw = await drawBox(greyImage(100, 80), null, "not found", { format: "raw", color: "#ff0000" });
    assert.deepEqual(pixelAt(raw, 100, 2, 2), [255, 0, 0]);
    assert.deepEqual(pixelAt(raw, 100, 50, 70), [60, 60, 60]);
  });

  it("draws a dashed reference box", async () => {
    const reference = { x: 20, y: 20, width: 100, height: 60 };
    const raw = await drawBox(greyImage(200, 150), null, "", { format: "raw", reference, referenceColor: "#0000ff" });
    const topEdge = [...Array(100).keys()].map((dx) => pixelAt(raw, 200, 20 + dx, 20));
    const blue = topEdge.filter(([red, green, blueValue]) => blueValue > 150 && red < 100 && green < 100).length;
    assert.ok(blue > 30, `only ${blue} of 100 top-edge pixels are blue`);
    assert.ok(blue < 90, `${blue} of 100 top-edge pixels are blue: the outline is not dashed`);
  });

  it("shrinks a long label to fit a small image", async () => {
    const label = "not found: the small blue mug left of the bowl 0.42";
    const raw = await drawBox(greyImage(160, 120), null, label, { format: "raw", color: "#ff0000" });
    // At the usual 12 px font the background would reach 16.8 px down; at 8 px, 11.2 px.
    assert.notDeepEqual(pixelAt(raw, 160, 2, 2), [60, 60, 60]);
    assert.deepEqual(pixelAt(raw, 160, 2, 14), [60, 60, 60]);
  });

  it("rejects a short image buffer", async () => {
    const image = { data: Buffer.alloc(10), width: 10, height: 10 };
    await assert.rejects(drawBox(image, null, ""), errorMatching(ArgumentError, "10 bytes"));
  });

  it("rejects a non-finite box", async () => {
    await assert.rejects(
      drawBox(greyImage(10, 10), { x: Number.NaN, y: 0, width: 1, height: 1 }, ""),
      errorMatching(ArgumentError, "finite"),
    );
  });
});
