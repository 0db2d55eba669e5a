/**
 * Wraps the engine to track when the stream has finished with its input. At `--rate max`
 * the next message is released only when no encode or ground call is in flight, so the
 * stream's queue keeps at most one frame and memory stays flat.
 */
import { setImmediate as nextTurn } from "node:timers/promises";

import type { CommandEncoding, GroundingEngine, GroundingOutput, GroundOptions, ImageInput } from "../runtime/types";

export class TrackedEngine implements GroundingEngine {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly inner: GroundingEngine) {}

  get modelName(): string {
    return this.inner.modelName;
  }

  get gateableBlocks(): readonly string[] {
    return this.inner.gateableBlocks;
  }

  get objectNouns(): readonly string[] {
    return this.inner.objectNouns;
  }

  encode(text: string): Promise<CommandEncoding> {
    return this.track(this.inner.encode(text));
  }

  ground(image: ImageInput, command: CommandEncoding, options: GroundOptions): Promise<GroundingOutput> {
    return this.track(this.inner.ground(image, command, options));
  }

  release(command: CommandEncoding): void {
    this.inner.release(command);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * Resolves when no call is in flight and the stream has handled the last result. The
   * stream starts its next call synchronously inside that handling, so the loop checks again.
   */
  async idle(): Promise<void> {
    await nextTurn();
    while (this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
      await nextTurn();
    }
  }

  private track<T>(call: Promise<T>): Promise<T> {
    const promise = Promise.resolve(call);
    this.pending.add(promise);
    const forget = (): void => {
      this.pending.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }
}
