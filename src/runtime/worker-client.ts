/**
 * Main-thread side of the inference worker: starts it, matches responses to requests by
 * id, and turns worker failures into typed errors.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";

import { ModelError, SoftSkipError, StateError } from "../errors";
import type { Logger } from "../log";
import type { SerializedError, WorkerReady, WorkerRequest, WorkerResponse, WorkerResult, WorkerSetup } from "./worker-protocol";

type Pending = { resolve: (result: WorkerResult) => void; reject: (error: Error) => void };

/** Request without its id; the client numbers requests itself. */
export type WorkerCall = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;

export class WorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the worker is gone; later requests fail with it. */
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: Logger,
  ) {
    worker.on("message", (message: WorkerResponse) => this.settle(message));
    worker.on("error", (error) => this.fail(new StateError(`The inference worker failed: ${error.message}. Load the model again.`)));
    worker.on("exit", (code) => this.fail(new StateError(`The inference worker exited with code ${code}; the engine is closed. Load the model again.`)));
  }

  /** Starts the worker and resolves once every session is open. */
  static async start(setup: WorkerSetup, manifestPath: string, logger: Logger): Promise<WorkerClient> {
    const worker = new Worker(path.join(__dirname, "worker.js"), { workerData: setup });
    const ready = await new Promise<WorkerReady>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    }).catch((error: unknown) => ({ type: "failed", error: { name: "Error", message: String(error) } }) as WorkerReady);

    if (ready.type === "failed") {
      await worker.terminate();
      throw toError(ready.error, manifestPath);
    }
    if (ready.niceFailure !== undefined) {
      logger.warn(`The inference thread runs at its default priority: ${ready.niceFailure}.`);
    }
    return new WorkerClient(worker, logger);
  }

  request<T extends WorkerResult>(call: WorkerCall, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId;
    this.nextId += 1;
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
    await this.worker.terminate();
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
