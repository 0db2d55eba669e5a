/**
 * Reusable memory for raw camera frames on their way to the inference worker. A frame is
 * copied once, into memory that is transferred to the worker, which sends it back with
 * its result. Fresh memory page-faults on first touch. So the copy of a 640x480 rgb8
 * frame into fresh memory took 0.3 to 0.8 ms, and 0.2 ms into reused memory, with frames
 * 200 ms apart (medians of 60 frames on the 2-core bench machine).
 */

/** Buffers kept for reuse: one in flight per inference, so two also cover a pipelined caller. */
const SPARE_BUFFERS = 2;
/**
 * A spare buffer more than this many times larger than the frame is dropped rather than
 * reused, so that one oversized frame does not keep its memory for the rest of the run.
 */
const MAX_OVERSIZE = 4;

export class FrameBufferPool {
  private readonly spare: ArrayBuffer[] = [];

  /** Returns `bytes` bytes of memory that nothing else references, reusing a returned buffer when one fits. */
  take(bytes: number): Uint8Array {
    // Oversized buffers are let go to the garbage collector.
    for (let index = this.spare.length - 1; index >= 0; index -= 1) {
      if (this.spare[index].byteLength > bytes * MAX_OVERSIZE) {
        this.spare.splice(index, 1);
      }
    }
    let best = -1;
    this.spare.forEach((buffer, index) => {
      if (buffer.byteLength >= bytes && (best < 0 || buffer.byteLength < this.spare[best].byteLength)) {
        best = index;
      }
    });
    if (best >= 0) {
      const [buffer] = this.spare.splice(best, 1);
      return new Uint8Array(buffer, 0, bytes);
    }
    return new Uint8Array(bytes);
  }

  /** Takes back memory from `take` that the worker has finished with. Detached or surplus buffers are dropped. */
  recycle(view: Uint8Array): void {
    const buffer = view.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || this.spare.includes(buffer)) {
      return;
    }
    this.spare.push(buffer);
    if (this.spare.length > SPARE_BUFFERS) {
      // Keep the largest ones: a camera that changes resolution settles on one size.
      this.spare.sort((a, b) => b.byteLength - a.byteLength).length = SPARE_BUFFERS;
    }
  }
}
