/**
 * Main-thread side of the inference worker: starts it, matches responses to requests by
 * id, and turns worker failures into typed errors.
 */
import path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";

import { ModelError, SoftSkipError, StateError } from "../errors";
import type { Logger } from "../log";
import type { ReplySoon, SerializedError, WorkerChannels, WorkerWake, WorkerReady, WorkerRequest, WorkerResponse, WorkerResult, WorkerSetup } from "./worker-protocol";

type Pending = { resolve: (result: WorkerResult) => void; reject: (error: Error) => void };

/** Request without its id; the client numbers requests itself. */
export type WorkerCall = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;

/**
 * A thread that sleeps for milliseconds takes about 0.2 ms to wake when a message arrives,
 * and one that slept under 0.5 ms took 0.02 ms (measured on the 2-core bench VM). So a ground
 * request can name a step shortly before its end, at which the worker posts a ReplySoon.
 * Its wake-up then overlaps the last blocks, and the main thread polls the worker's reply
 * counter for at most `replySpinMs` and takes the response from the port without waiting
 * for the event loop. A response that comes later arrives as a message as usual.
 * `wake()` does the same for the worker's side, ahead of a request.
 */
export class WorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the worker is gone; later requests fail with it. */
  private failure: Error | undefined;
  /** Id of the last response the worker has posted, written by the worker after posting. */
  private readonly replied: Int32Array;

  private constructor(
    private readonly worker: Worker,
    private readonly replies: MessagePort,
    channels: WorkerChannels,
    private readonly replySpinMs: number,
    private readonly logger: Logger,
  ) {
    this.replied = new Int32Array(channels.repliedId);
    replies.on("message", (message: WorkerResponse | ReplySoon) => this.receive(message));
    worker.on("error", (error) => this.fail(new StateError(`The inference worker failed: ${error.message}. Load the model again.`)));
    worker.on("exit", (code) => this.fail(new StateError(`The inference worker exited with code ${code}; the engine is closed. Load the model again.`)));
  }

  /**
   * Starts the worker and resolves once every session is open. `replySpinMs` bounds the
   * busy wait after each ReplySoon; 0 turns it off.
   */
  static async start(setup: WorkerSetup, manifestPath: string, logger: Logger, replySpinMs: number): Promise<WorkerClient> {
    const { port1, port2 } = new MessageChannel();
    const channels: WorkerChannels = { replies: port2, repliedId: new SharedArrayBuffer(4) };
    const worker = new Worker(path.join(__dirname, "worker.js"), { workerData: { ...setup, ...channels }, transferList: [port2] });
    const ready = await new Promise<WorkerReady>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    }).catch((error: unknown) => ({ type: "failed", error: { name: "Error", message: String(error) } }) as WorkerReady);

    if (ready.type === "failed") {
      port1.close();
      await worker.terminate();
      throw toError(ready.error, manifestPath);
    }
    if (ready.niceFailure !== undefined) {
      logger.warn(`The inference thread runs at its default priority: ${ready.niceFailure}.`);
    }
    return new WorkerClient(worker, port1, channels, replySpinMs, logger);
  }

  /** Whether the main thread busy-waits after a ReplySoon, so that ground requests should ask for one. */
  get spins(): boolean {
    return this.replySpinMs > 0;
  }

  /**
   * Tells an idle worker that a request follows, so that it wakes while the main thread
   * prepares it and then waits busily for it (at most 0.5 ms).
   */
  wake(): void {
    if (this.failure === undefined && this.spins) {
      this.worker.postMessage({ type: "wake" } satisfies WorkerWake);
    }
  }

  request<T extends WorkerResult>(call: WorkerCall, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    // Ids wrap around as int32, the reply counter's type, so that the counter's
    // comparison in spinFor stays right; 0 is skipped because the counter starts there.
    const id = this.nextId;
    this.nextId = (this.nextId + 1) | 0 || 1;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as Pending["resolve"], reject });
      try {
        this.worker.postMessage({ ...call, id }, transfer);
      } catch (error) {
        // Nothing reached the worker (a value that cannot be cloned, a detached buffer).
        this.pending.delete(id);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    if (this.failure === undefined) {
      this.failure = new StateError("The grounding engine is closed; load the model again with loadGroundingEngine().");
    }
    this.takeReplies();
    this.replies.close();
    await this.worker.terminate();
  }

  private receive(message: WorkerResponse | ReplySoon): void {
    if ("soon" in message) {
      this.spinFor(message.id);
    } else {
      this.settle(message);
    }
  }

  /** Polls the reply counter until the response to request `id` is posted or `replySpinMs` has passed, then takes the responses already posted. */
  private spinFor(id: number): void {
    if (!this.pending.has(id) || this.replySpinMs === 0) {
      return;
    }
    const until = performance.now() + this.replySpinMs;
    // "The last response is older than id", wrap-safe, because the worker replies in id order.
    while (((Atomics.load(this.replied, 0) - id) | 0) < 0 && performance.now() < until) {
      // Busy wait: sleeping here is what costs the wake-up.
    }
    this.takeReplies();
  }

  /** Settles every response already posted, without waiting for the event loop. */
  private takeReplies(): void {
    for (let reply = receiveMessageOnPort(this.replies); reply !== undefined; reply = receiveMessageOnPort(this.replies)) {
      const message = reply.message as WorkerResponse | ReplySoon;
      if (!("soon" in message)) {
        this.settle(message);
      }
    }
  }

  private settle(message: WorkerResponse): void {
    const pending = this.pending.get(message.id);
    if (pending === undefined) {
      this.logger.warn(`Inference worker sent a response to unknown request ${message.id}; ignoring it.`);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) {
      pending.resolve(message.result);
    } else {
      pending.reject(toError(message.error, undefined));
    }
  }

  private fail(error: Error): void {
    if (this.failure === undefined) {
      this.failure = error;
      this.logger.error(error.message);
      // Responses posted before the worker stopped are still valid results.
      this.takeReplies();
      this.replies.close();
    }
    for (const pending of this.pending.values()) {
      pending.reject(this.failure);
    }
    this.pending.clear();
  }
}

function toError(error: SerializedError, manifestPath: string | undefined): Error {
  if (error.file !== undefined || manifestPath !== undefined) {
    const file = error.file ?? (manifestPath as string);
    return new ModelError(file, capitalise(error.message) + ".");
  }
  return new SoftSkipError("INVALID_STATE", capitalise(error.message) + ".");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
