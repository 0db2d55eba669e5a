import { BILINEAR_WASM_BASE64 } from "./wasm/bilinear-module";

/**
 * Bytes the kernel may read past a frame's last pixel: it loads 8 bytes at each left
 * neighbour, of which a 1-channel pixel pair uses 2.
 */
const READ_SLACK = 8;
/** Sum of a column's two integer weights: the kernel blends neighbours in steps of 1/16384. */
export const COLUMN_WEIGHT_SUM = 16384;
const PAGE_BYTES = 65536;

interface KernelExports {
  memory: WebAssembly.Memory;
  bilinear(
    frame: number,
    out: number,
    offsets: number,
    weights: number,
    rows: number,
    params: number,
    width: number,
    height: number,
    rowStride: number,
    planeBytes: number,
  ): void;
}

/** Source positions of a bilinear resize, as byte offsets into the frame. */
export interface KernelSampling {
  /** Per output column: byte offsets, inside a row, of the left and right neighbours. */
  left: Int32Array;
  right: Int32Array;
  /** Weight of the right neighbour, a multiple of 1 / COLUMN_WEIGHT_SUM. */
  columnWeight: Float32Array;
  /** Per output row: byte offsets of the upper and lower source rows. */
  top: Int32Array;
  bottom: Int32Array;
  rowWeight: Float32Array;
}

let compiled: WebAssembly.Module | null | undefined;

/** Returns the compiled kernel, or null where this runtime lacks WebAssembly SIMD. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(BILINEAR_WASM_BASE64, "base64");
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled ?? null;
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * The WebAssembly SIMD bilinear letterbox (src/image/wasm/bilinear.wat): 0.11 ms for a
 * 640x480 rgb8 frame, copy included, against 0.59 ms for the JavaScript loop (medians of
 * 500 calls on an idle 2-core machine). Its memory
 * contains, in this order, the model input tensor, the column offsets and weights, the
 * row table, the per-channel scale and offset with the swizzle mask, and a copy of the
 * current frame. The tensor view changes when the memory grows for a larger frame, so
 * read `tensor` after `reserveFrame`.
 */
export class BilinearKernel {
  private readonly exports: KernelExports;
  private readonly offsets: number;
  private readonly weights: number;
  private readonly rows: number;
  private readonly params: number;
  private readonly frame: number;
  private view: Float32Array;

  private constructor(
    module: WebAssembly.Module,
    private readonly width: number,
    private readonly height: number,
  ) {
    this.exports = new WebAssembly.Instance(module).exports as unknown as KernelExports;
    const tensorBytes = 3 * width * height * 4;
    this.offsets = tensorBytes;
    this.weights = align16(this.offsets + width * 4);
    this.rows = this.weights + width * 16;
    this.params = align16(this.rows + height * 12);
    this.frame = this.params + 48;
    this.grow(this.frame);
    this.view = this.tensorView();
  }

  /** Returns a kernel for a model input of this size, or null without WebAssembly SIMD. */
  static create(width: number, height: number): BilinearKernel | null {
    const module = kernelModule();
    return module === null ? null : new BilinearKernel(module, width, height);
  }

  /** The model input tensor, planar RGB, in the kernel's memory. */
  get tensor(): Float32Array {
    if (this.view.buffer !== this.exports.memory.buffer) {
      this.view = this.tensorView();
    }
    return this.view;
  }

  /**
   * Writes the sampling tables and the mask that puts a pixel's red, green and blue bytes
   * (at `order` inside a pixel of `channels` bytes) next to its right neighbour's.
   */
  setSampling(sampling: KernelSampling, order: readonly [number, number, number], channels: number): void {
    const memory = this.exports.memory.buffer;
    const offsets = new Int32Array(memory, this.offsets, sampling.left.length);
    const weights = new Int16Array(memory, this.weights, sampling.left.length * 8);
    for (let x = 0; x < sampling.left.length; x += 1) {
      // At the right edge the right neighbour clamps to the left one: weight 0 for the
      // pixel after it, which the kernel reads anyway.
      const clamped = sampling.right[x] === sampling.left[x];
      if (!clamped && sampling.right[x] !== sampling.left[x] + channels) {
        throw new RangeError(`column ${x} samples bytes ${sampling.left[x]} and ${sampling.right[x]}, which are not neighbours`);
      }
      const right = clamped ? 0 : Math.round(sampling.columnWeight[x] * COLUMN_WEIGHT_SUM);
      offsets[x] = sampling.left[x];
      weights.set([COLUMN_WEIGHT_SUM - right, right, COLUMN_WEIGHT_SUM - right, right, COLUMN_WEIGHT_SUM - right, right, 0, 0], x * 8);
    }
    const rows = new DataView(memory, this.rows, sampling.top.length * 12);
    for (let y = 0; y < sampling.top.length; y += 1) {
      rows.setInt32(y * 12, sampling.top[y], true);
      rows.setInt32(y * 12 + 4, sampling.bottom[y], true);
      rows.setFloat32(y * 12 + 8, sampling.rowWeight[y], true);
    }
    // Each channel takes two 16-bit lanes, left then right; swizzle indices of 128 and above give zero bytes.
    const mask = new Uint8Array(memory, this.params + 32, 16).fill(0x80);
    order.forEach((offset, channel) => {
      mask[channel * 4] = offset;
      mask[channel * 4 + 2] = channels + offset;
    });
  }

  /** Makes room for a frame of `bytes` bytes. Growing the memory moves the tensor. */
  reserveFrame(bytes: number): void {
    this.grow(this.frame + bytes + READ_SLACK);
  }

  /**
   * Resizes the frame into the tensor. `frame` is copied into the kernel's memory first
   * (0.03 ms for 640x480 rgb8), because WebAssembly reads only its own memory.
   */
  run(
    frame: Uint8Array,
    resized: { width: number; height: number; firstIndex: number },
    scale: readonly number[],
    offset: readonly number[],
  ): void {
    this.reserveFrame(frame.length);
    const memory = this.exports.memory.buffer;
    new Uint8Array(memory, this.frame, frame.length).set(frame);
    const params = new Float32Array(memory, this.params, 8);
    // The kernel's integer blend gives each value times COLUMN_WEIGHT_SUM, which the scale undoes.
    const sum = COLUMN_WEIGHT_SUM;
    params.set([scale[0] / sum, scale[1] / sum, scale[2] / sum, 0, offset[0], offset[1], offset[2], 0]);
    const planeBytes = this.width * this.height * 4;
    this.exports.bilinear(
      this.frame,
      resized.firstIndex * 4,
      this.offsets,
      this.weights,
      this.rows,
      this.params,
      resized.width,
      resized.height,
      this.width * 4,
      planeBytes,
    );
  }

  private grow(bytes: number): void {
    const memory = this.exports.memory;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) {
      memory.grow(Math.ceil(missing / PAGE_BYTES));
    }
  }

  private tensorView(): Float32Array {
    return new Float32Array(this.exports.memory.buffer, 0, 3 * this.width * this.height);
  }
}
