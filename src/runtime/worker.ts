/**
 * Inference worker. onnxruntime-node runs a session on the calling thread, so all
 * sessions live here and the main thread's event loop only moves messages. Requests are
 * handled one at a time in arrival order.
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";

import { describeError } from "../errors";
import { InputTensorWriter } from "../image/raw-tensor";
import { HEAD_VALUES, isHeadOutputShape } from "./head-output";
import { setThreadNice } from "./thread-nice";
import { epochMs } from "./worker-protocol";
import type {
  EncodeResult,
  GroundResult,
  HeadBest,
  ReplySoon,
  SerializedError,
  SerializedTensor,
  WorkerReady,
  WorkerRequest,
  WorkerResponse,
  WorkerResult,
  WorkerWake,
  WorkerChannels,
  WorkerSetup,
} from "./worker-protocol";

// ONNX Runtime's warnings are for its developers: on a robot whose service user has no
// writable home, every start printed one about persisting a telemetry id. Errors still
// reach us as exceptions. Set before the first session, which initialises the runtime.
ort.env.logLevel = "error";

/** An error about one model file, sent back so the engine can raise a ModelError. */
class FileFailure extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

interface BlockSession {
  name: string;
  file: string;
  session: ort.InferenceSession;
  inputs: string[];
  outputs: string[];
}

class InferenceWorker {
  /** Sentence embeddings of encoded commands, by handle, kept until released. */
  private readonly sentences = new Map<number, ort.Tensor>();
  private nextHandle = 1;
  /** The image tensor's memory, reused by every ground request: requests run one at a time. */
  private readonly input: InputTensorWriter;

  private constructor(
    private readonly setup: WorkerSetup & WorkerChannels,
    private readonly text: BlockSession,
    private readonly blocks: Map<string, BlockSession>,
  ) {
    this.input = new InputTensorWriter(setup.input.width, setup.input.height);
  }

  static async open(setup: WorkerSetup & WorkerChannels): Promise<InferenceWorker> {
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: setup.numThreads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    };
    const text = await openSession(
      "text",
      setup.textFile,
      [setup.textInputs.tokens],
      [setup.textOutputs.sentence, setup.textOutputs.gates],
      options,
    );
    const blocks = new Map<string, BlockSession>();
    for (const block of setup.blocks) {
      blocks.set(block.name, await openSession(block.name, block.file, block.inputs, block.outputs, options));
    }

    const worker = new InferenceWorker(setup, text, blocks);
    await worker.checkGateCount();
    return worker;
  }

  async handle(request: WorkerRequest): Promise<WorkerResult> {
    switch (request.type) {
      case "encode":
        return this.encode(request.tokens);
      case "ground":
        return this.ground(request);
      case "runBlock":
        return this.runBlock(request.block, request.feeds);
      case "release":
        this.sentences.delete(request.handle);
        return null;
    }
  }

  private async encode(tokens: BigInt64Array): Promise<EncodeResult> {
    const start = performance.now();
    const outputs = await this.runSession(this.text, { [this.setup.textInputs.tokens]: new ort.Tensor("int64", tokens, [1, tokens.length]) });
    const sentence = outputs[this.setup.textOutputs.sentence];
    const gates = Float32Array.from(outputs[this.setup.textOutputs.gates].data as Float32Array);

    const handle = this.nextHandle;
    this.nextHandle += 1;
    this.sentences.set(handle, sentence);
    return { handle, gates, ms: performance.now() - start };
  }

  /**
   * Runs the steps in order. With a deadline (epochMs() time), a head's segment
   * that is predicted to end past it is not started once some head has run, so the result
   * is the best box found in time.
   */
  private async ground(request: Extract<WorkerRequest, { type: "ground" }>): Promise<GroundResult> {
    const { handle, image: pixels, steps, heads, deadlineAtMs, replySoonAtStep } = request;
    const startedAtMs = epochMs();
    const sentence = this.sentences.get(handle);
    if (sentence === undefined) {
      throw new Error(`command handle ${handle} was released or never encoded; call encode() again`);
    }

    const preprocessStart = performance.now();
    const { width, height, mean, std } = this.setup.input;
    const data =
      pixels.kind === "pixels"
        ? this.input.write(pixels.pixels, pixels.transform, { mean, std, padValue: pixels.padValue })
        : this.input.writeLetterboxed(pixels.rgb, { mean, std });
    const image = new ort.Tensor("float32", data, [1, 3, height, width]);
    const preprocessMs = performance.now() - preprocessStart;

    // Tensors of this inference only: dropping the map at the end frees them.
    const tensors = new Map<string, ort.Tensor>([
      ["image", image],
      ["sentence", sentence],
    ]);
    const blockMs: Record<string, number> = {};
    const headBlocks = new Set(heads.map((head) => head.block));
    let headsRun = 0;
    let completedSteps = 0;
    for (const step of steps) {
      const late = deadlineAtMs !== null && step.segmentMs !== undefined && epochMs() + step.segmentMs > deadlineAtMs;
      if (late && headsRun > 0) {
        break;
      }
      if (completedSteps === replySoonAtStep) {
        this.setup.replies.postMessage({ id: request.id, soon: true } satisfies ReplySoon);
      }
      completedSteps += 1;
      if (step.kind === "alias") {
        tensors.set(step.to, this.tensor(tensors, step.from));
        continue;
      }
      const block = this.block(step.block);
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of block.inputs) {
        feeds[input] = this.tensor(tensors, input);
      }
      const blockStart = performance.now();
      const outputs = await this.runSession(block, feeds);
      blockMs[step.block] = performance.now() - blockStart;
      for (const output of block.outputs) {
        tensors.set(output, outputs[output]);
      }
      if (headBlocks.has(step.block)) {
        headsRun += 1;
      }
    }

    const selectStart = performance.now();
    const best = heads
      .filter(({ output }) => tensors.has(output))
      .map(({ block, output }) => bestAnchor(block, this.checkHeadShape(block, output, tensors)));
    const bytes = pixels.kind === "pixels" ? pixels.pixels.data : pixels.rgb;
    return { best, startedAtMs, completedSteps, blockMs, preprocessMs, pixels: bytes, selectMs: performance.now() - selectStart };
  }

  /**
   * Returns the output of a head after checking that it is [1, anchors, 5], with whole
   * anchors per cell of its input. A head exported as [1, 5, anchors] would otherwise load
   * and run, and give wrong boxes.
   */
  private checkHeadShape(name: string, output: string, tensors: Map<string, ort.Tensor>): ort.Tensor {
    const tensor = this.tensor(tensors, output);
    const block = this.block(name);
    const dims = tensor.dims;
    if (!isHeadOutputShape(dims, tensors.get(block.inputs[0])?.dims)) {
      throw new FileFailure(
        block.file,
        `head ${name} (${block.file}) returns ${output} with shape [${dims.join(", ")}], expected [1, anchors, ${HEAD_VALUES}] ` +
          `(score logit, cx, cy, w, h per anchor); export the head with the anchors before the values`,
      );
    }
    return tensor;
  }

  private async runBlock(name: string, feeds: Record<string, SerializedTensor>): Promise<Record<string, SerializedTensor>> {
    const session = name === "text" ? this.text : this.block(name);
    const inputs: Record<string, ort.Tensor> = {};
    for (const [input, tensor] of Object.entries(feeds)) {
      inputs[input] = new ort.Tensor(tensor.type, tensor.data, tensor.dims);
    }
    const outputs = await this.runSession(session, inputs);
    const result: Record<string, SerializedTensor> = {};
    for (const [output, tensor] of Object.entries(outputs)) {
      result[output] = { type: tensor.type === "int64" ? "int64" : "float32", data: tensor.data as Float32Array, dims: [...tensor.dims] };
    }
    return result;
  }

  /** Checks that the text encoder returns one gate per gated block, on an all-padding input. */
  private async checkGateCount(): Promise<void> {
    const tokens = new BigInt64Array(this.setup.maxTokens).fill(BigInt(this.setup.padId));
    const result = await this.encode(tokens);
    this.sentences.delete(result.handle);
    if (result.gates.length !== this.setup.gateCount) {
      throw new FileFailure(
        this.text.file,
        `text encoder ${this.text.file} returns ${result.gates.length} gates but the manifest has ${this.setup.gateCount} gated blocks; export the manifest and the text encoder together`,
      );
    }
  }

  private async runSession(block: BlockSession, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    try {
      return await block.session.run(feeds);
    } catch (error) {
      throw new FileFailure(block.file, `block ${block.name} (${block.file}) failed to run: ${describeError(error)}`);
    }
  }

  private block(name: string): BlockSession {
    const block = this.blocks.get(name);
    if (block === undefined) {
      throw new Error(`no block named ${JSON.stringify(name)} in this model`);
    }
    return block;
  }

  private tensor(tensors: Map<string, ort.Tensor>, name: string): ort.Tensor {
    const tensor = tensors.get(name);
    if (tensor === undefined) {
      throw new Error(`tensor ${JSON.stringify(name)} is read before any step produced it; the execution plan is inconsistent`);
    }
    return tensor;
  }
}

async function openSession(
  name: string,
  file: string,
  inputs: string[],
  outputs: string[],
  options: ort.InferenceSession.SessionOptions,
): Promise<BlockSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, options);
  } catch (error) {
    throw new FileFailure(file, `ONNX file ${file} of block ${name} could not be loaded (${describeError(error)}); export the model again`);
  }

  const missingInputs = inputs.filter((input) => !session.inputNames.includes(input));
  const missingOutputs = outputs.filter((output) => !session.outputNames.includes(output));
  if (missingInputs.length > 0 || missingOutputs.length > 0) {
    throw new FileFailure(
      file,
      `ONNX file ${file} of block ${name} has inputs [${session.inputNames.join(", ")}] and outputs [${session.outputNames.join(", ")}], ` +
        `but the manifest lists inputs [${inputs.join(", ")}] and outputs [${outputs.join(", ")}]; the tensor names must match`,
    );
  }
  return { name, file, session, inputs, outputs };
}

/**
 * Finds the anchor with the highest score logit in a [1, N, 5] head output. Anchors with a
 * non-finite value are skipped, so one overflow does not hide the whole head. When no
 * anchor is finite, it returns anchor -1 with logit NaN, and the engine ignores the head.
 */
function bestAnchor(head: string, tensor: ort.Tensor): HeadBest {
  const data = tensor.data as Float32Array;
  const count = Math.floor(data.length / HEAD_VALUES);
  let best = -1;
  for (let anchor = 0; anchor < count; anchor += 1) {
    const offset = anchor * HEAD_VALUES;
    // Only a new best is checked further, so the scan stays one comparison per anchor.
    if (best !== -1 && !(data[offset] > data[best * HEAD_VALUES])) {
      continue;
    }
    if (Number.isFinite(data[offset]) && Number.isFinite(data[offset + 1]) && Number.isFinite(data[offset + 2]) && Number.isFinite(data[offset + 3]) && Number.isFinite(data[offset + 4])) {
      best = anchor;
    }
  }
  if (best === -1) {
    return { head, anchor: -1, logit: Number.NaN, cx: Number.NaN, cy: Number.NaN, w: Number.NaN, h: Number.NaN };
  }
  const offset = best * HEAD_VALUES;
  return { head, anchor: best, logit: data[offset], cx: data[offset + 1], cy: data[offset + 2], w: data[offset + 3], h: data[offset + 4] };
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof FileFailure) {
    return { name: "ModelError", message: error.message, file: error.file };
  }
  return { name: error instanceof Error ? error.name : "Error", message: describeError(error) };
}

function start(): void {
  const port = parentPort;
  if (port === null) {
    throw new Error("src/runtime/worker.js must run as a worker thread started by the grounding engine");
  }

  const setup = workerData as WorkerSetup & WorkerChannels;
  const replied = new Int32Array(setup.repliedId);
  const niceFailure = setThreadNice(setup.nice);
  const opening = InferenceWorker.open(setup);
  opening.then(
    () => port.postMessage({ type: "ready", ...(niceFailure === null ? {} : { niceFailure }) } satisfies WorkerReady),
    (error: unknown) => port.postMessage({ type: "failed", error: serializeError(error) } satisfies WorkerReady),
  );

  // Requests run strictly one after another, even though session.run returns a promise.
  let queue: Promise<unknown> = opening;
  /** Requests taken and not yet replied to. */
  let pendingReplies = 0;
  const receive = (message: WorkerRequest | WorkerWake): void => {
    if (message.type === "wake") {
      // Only an idle worker waits busily: a busy one is awake, and spinning would delay it.
      if (pendingReplies === 0) {
        takeNextRequest();
      }
      return;
    }
    enqueue(message);
  };
  /** Polls the port for the request that follows a wake-up message, for at most WAKE_SPIN_MS. */
  const takeNextRequest = (): void => {
    const until = performance.now() + WAKE_SPIN_MS;
    while (performance.now() < until) {
      const next = receiveMessageOnPort(port);
      if (next !== undefined) {
        receive(next.message as WorkerRequest | WorkerWake);
        return;
      }
    }
  };
  const enqueue = (request: WorkerRequest): void => {
    pendingReplies += 1;
    queue = queue.then(async (worker) => {
      // A worker that failed to open has already reported it; the engine sends nothing more.
      let response: WorkerResponse;
      try {
        const result = await (worker as InferenceWorker).handle(request);
        response = { id: request.id, ok: true, result };
      } catch (error) {
        response = { id: request.id, ok: false, error: serializeError(error) };
      }
      try {
        setup.replies.postMessage(response, transferList(response));
      } catch (error) {
        // A result that cannot be cloned still gets a response, or the caller would wait forever.
        setup.replies.postMessage({ id: request.id, ok: false, error: serializeError(error) } satisfies WorkerResponse);
      }
      // Stored after posting, so that a main thread that reads this id can take the reply at once.
      Atomics.store(replied, 0, request.id);
      pendingReplies -= 1;
      return worker;
    });
  };
  port.on("message", receive);
}

/**
 * Maximum busy wait for the request after a wake-up message, in ms. The main thread posts
 * the request after copying the frame, about 0.1 ms later for 640x480 rgb8.
 */
const WAKE_SPIN_MS = 0.5;

/** Results and request memory that the worker no longer needs are moved to the main thread, not copied. */
function transferList(response: WorkerResponse): ArrayBuffer[] {
  if (!response.ok || response.result === null || typeof response.result !== "object") {
    return [];
  }
  if ("gates" in response.result && response.result.gates instanceof Float32Array) {
    return [response.result.gates.buffer as ArrayBuffer];
  }
  if ("pixels" in response.result && response.result.pixels instanceof Uint8Array) {
    return [response.result.pixels.buffer as ArrayBuffer];
  }
  return [];
}

start();
