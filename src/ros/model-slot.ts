/**
 * The model of the current configuration: loaded by configure, closed by cleanup. Loading
 * continues after configure returns, because rclnodejs lifecycle callbacks are
 * synchronous; callers wait on `loading` when they need the engine.
 */
import { describeError } from "../errors";
import type { Logger } from "../log";
import type { GroundingEngine } from "../runtime/types";

export type LoadEngine = (modelDir: string, options: EngineThreads & { logger: Logger }) => Promise<GroundingEngine>;

/** Thread settings of an engine: ONNX Runtime threads per session, nice value, and busy wait for replies in ms. */
export interface EngineThreads {
  numThreads: number;
  nice: number;
  replySpinMs: number;
}

export class ModelSlot {
  private load: Promise<GroundingEngine> | undefined;
  private loaded: GroundingEngine | undefined;
  private closing: Promise<void> = Promise.resolve();
  /** Model name, or what is happening to it, for diagnostics. */
  private statusText = "none";
  private loadError: string | undefined;

  constructor(private readonly logger: Logger) {}

  /** The engine once loaded; undefined while loading, after a failure and after unload. */
  get engine(): GroundingEngine | undefined {
    return this.loaded;
  }

  /** The load in progress or finished; undefined when no model is configured. */
  get loading(): Promise<GroundingEngine> | undefined {
    return this.load;
  }

  get status(): string {
    return this.statusText;
  }

  /** Load error message, when the load failed. */
  get error(): string | undefined {
    return this.loadError;
  }

  /** Starts loading; a failure is logged here and rejects `loading`. */
  start(loadEngine: LoadEngine, modelDir: string, threads: EngineThreads): void {
    const load = loadEngine(modelDir, { ...threads, logger: this.logger });
    this.load = load;
    this.statusText = `loading ${modelDir}`;
    this.loadError = undefined;
    load.then(
      (engine) => {
        if (this.load !== load) {
          return; // unload() came first, and closes this engine once loaded.
        }
        this.loaded = engine;
        this.statusText = engine.modelName;
        this.logger.info(`Model ${engine.modelName} loaded (${engine.gateableBlocks.length} gateable blocks).`);
      },
      (error: unknown) => {
        if (this.load !== load) {
          return;
        }
        this.statusText = `failed to load ${modelDir}`;
        this.loadError = describeError(error);
        this.logger.error(`Loading model ${modelDir} failed: ${this.loadError}`);
      },
    );
  }

  /** Forgets the model and closes it once its load has finished. */
  unload(): void {
    const load = this.load;
    this.load = undefined;
    this.loaded = undefined;
    this.statusText = "none";
    this.loadError = undefined;
    if (load === undefined) {
      return;
    }
    this.closing = load
      .then(
        (engine) => engine.close(),
        () => undefined,
      )
      .catch((error: unknown) => this.logger.error(`Closing the model failed: ${describeError(error)}`));
  }

  /** Resolves when the last unloaded model has closed. */
  closed(): Promise<void> {
    return this.closing;
  }
}
