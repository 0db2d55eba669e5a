import assert from "node:assert/strict";

import { FrameBufferPool } from "../../src/runtime/frame-buffers";

describe("runtime/FrameBufferPool", () => {
  it("reuses returned memory", () => {
    const pool = new FrameBufferPool();
    const first = pool.take(1000);
    pool.recycle(first);
    const second = pool.take(1000);
    assert.equal(second.buffer, first.buffer);
    assert.equal(second.byteLength, 1000);
  });

  it("serves a smaller frame from a larger buffer", () => {
    const pool = new FrameBufferPool();
    pool.recycle(pool.take(1000));
    const view = pool.take(600);
    assert.equal(view.byteLength, 600);
    assert.equal(view.buffer.byteLength, 1000);
  });

  it("allocates when nothing returned is large enough", () => {
    const pool = new FrameBufferPool();
    const small = pool.take(100);
    pool.recycle(small);
    assert.notEqual(pool.take(200).buffer, small.buffer);
  });

  it("keeps the two largest buffers", () => {
    const pool = new FrameBufferPool();
    const views = [pool.take(100), pool.take(300), pool.take(200)];
    views.forEach((view) => pool.recycle(view));
    const sizes = [pool.take(100), pool.take(100), pool.take(100)].map((view) => view.buffer.byteLength);
    assert.deepEqual(sizes.slice(0, 2).sort(), [200, 300]);
    assert.equal(sizes[2], 100, "the third is new");
  });

  it("lets go of an oversized buffer", () => {
    const pool = new FrameBufferPool();
    const huge = pool.take(10_000);
    pool.recycle(huge);
    const small = pool.take(1000);
    assert.notEqual(small.buffer, huge.buffer);
    pool.recycle(small);
    assert.equal(pool.take(10_000).buffer.byteLength, 10_000, "the huge buffer is gone, so a new one is allocated");
  });

  it("drops detached and repeated buffers", () => {
    const pool = new FrameBufferPool();
    const view = pool.take(64);
    const memory = view.buffer as ArrayBuffer;
    structuredClone(memory, { transfer: [memory] });
    pool.recycle(view);
    const returned = pool.take(8);
    assert.notEqual(returned.buffer, memory);
    pool.recycle(returned);
    pool.recycle(returned);
    assert.equal(pool.take(8).buffer, returned.buffer);
    assert.notEqual(pool.take(8).buffer, returned.buffer, "the repeated buffer was kept once");
  });
});
