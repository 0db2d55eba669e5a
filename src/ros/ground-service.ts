/**
 * The `~/ground` service (softskip_msgs/srv/Ground): grounds one text on the request's
 * image, or on the latest received frame when the request's image has no data. It calls
 * the engine directly, next to the stream; the engine's worker runs the two one after the
 * other.
 */
import { describeError, InputError, ParameterError, SoftSkipError } from "../errors";
import type { Logger } from "../log";
import type { GroundingResult } from "../msgs";
import { groundingResultFromEvent, noImageResult, UngroundedResultFields } from "../output";
import { thresholdOverride, type GroundingParameters, type PolicyName } from "../params/declarations";
import { validateParameter } from "../params/validate";
import { encodeGroundable, expressionToGround } from "../runtime/spoken-expression";
import type { GroundingEngine } from "../runtime/types";
import { noExpressionReason, parseTranscript } from "../runtime/transcript";
import type { FrameInput } from "../stream/types";
import { GROUNDING_STATUS } from "../msgs";
import { frameFromMessage } from "./inputs";

/** Topic-like name used in rejection messages about the request. */
export const GROUND_REQUEST_SOURCE = "~/ground request";

/** Command id of service results; the stream numbers its own commands from 1. */
export const SERVICE_COMMAND_ID = 0;

export interface GroundServiceContext {
  /** undefined while the model is still loading. */
  engine: GroundingEngine | undefined;
  latestFrame: FrameInput | undefined;
  parameters: GroundingParameters;
  now: () => number;
  /** Defaults for a result that grounds nothing (header stamped now). */
  fields: UngroundedResultFields;
  logger: Logger;
}

/**
 * Handles one request and returns its result. Bad input never throws: an unusable
 * request gets status REJECTED_INPUT and a log line naming the field, and a request
 * before any frame gets NO_IMAGE.
 */
export async function handleGroundRequest(request: unknown, context: GroundServiceContext): Promise<GroundingResult> {
  const startedMs = context.now();
  const fields = requestFields(request);
  const base: UngroundedResultFields = { ...context.fields, transcript: fields.text };
  let expression = "";

  try {
    const parsed = parseTranscript(fields.text, `${GROUND_REQUEST_SOURCE} text`);
    if (parsed.kind !== "command") {
      throw new InputError(GROUND_REQUEST_SOURCE, "text", "no_expression", `Rejected ${GROUND_REQUEST_SOURCE}: text ${JSON.stringify(fields.text)} ${noExpressionReason(fields.text, parsed)}; send words that name the object, such as "the blue bowl".`);
    }
    const prepared = expressionToGround(parsed, context.engine?.objectNouns ?? [], context.engine?.objectSynonyms);
    expression = prepared.expression;
    if (prepared.problem !== null) {
      throw new InputError(GROUND_REQUEST_SOURCE, "text", prepared.problem.reason, `Rejected ${GROUND_REQUEST_SOURCE}: text ${JSON.stringify(fields.text)} ${prepared.problem.explanation}; send words that name one object, such as "the blue ball".`);
    }
    const policy = requestPolicy(fields.policy, context.parameters.policy);

    const frame = hasImageData(fields.image)
      ? frameFromMessage(fields.image, "raw", `${GROUND_REQUEST_SOURCE} image`, startedMs)
      : context.latestFrame;
    if (frame === undefined) {
      context.logger.info(`${GROUND_REQUEST_SOURCE} for "${expression}": no image received yet and none in the request.`);
      return noImageResult({ ...base, expression, policy });
    }
    // A planner must not act on a box from a camera that stopped, as the topic path would not.
    const ageMs = startedMs - frame.receivedAtMs;
    const maxAgeMs = context.parameters.max_image_age_ms;
    if (maxAgeMs > 0 && ageMs > maxAgeMs) {
      context.logger.info(
        `${GROUND_REQUEST_SOURCE} for "${expression}": the latest image is ${Math.round(ageMs)} ms old, over max_image_age_ms ${maxAgeMs}; send an image in the request or check the camera.`,
      );
      return noImageResult({ ...base, expression, policy });
    }
    if (context.engine === undefined) {
      throw new SoftSkipError("INVALID_STATE", `${GROUND_REQUEST_SOURCE} cannot run: the model is still loading; retry in a moment.`);
    }

    const engine = context.engine;
    const encoded = await encodeGroundable(engine, expression);
    if (encoded.problem !== null) {
      throw new InputError(
        GROUND_REQUEST_SOURCE,
        "text",
        encoded.problem.reason,
        `Rejected ${GROUND_REQUEST_SOURCE}: expression ${JSON.stringify(expression)} ${encoded.problem.explanation}; send words that name the object, such as "the blue bowl".`,
      );
    }
    const command = encoded.command;
    try {
      const parameters = context.parameters;
      const output = await engine.ground(frame.image, command, {
        policy,
        budgetMs: parameters.latency_budget_ms,
        gateThreshold: thresholdOverride(parameters.gate_threshold),
        softskip: parameters.softskip,
        minScore: thresholdOverride(parameters.min_score),
      });
      return groundingResultFromEvent({
        kind: "result",
        header: frame.header,
        command: { id: SERVICE_COMMAND_ID, transcript: fields.text, expression },
        output,
        endToEndMs: context.now() - startedMs,
        budgetMs: parameters.latency_budget_ms,
      });
    } finally {
      engine.release(command);
    }
  } catch (error) {
    if (error instanceof SoftSkipError) {
      context.logger.warn(describeError(error));
    } else {
      // The model itself failed (a runtime error, or the engine closed during shutdown).
      // The client still gets a response instead of waiting forever.
      context.logger.error(`${GROUND_REQUEST_SOURCE} for ${JSON.stringify(fields.text)} failed: ${describeError(error)}`);
    }
    return { ...noImageResult({ ...base, expression }), status: GROUNDING_STATUS.REJECTED_INPUT };
  }
}

interface RequestFields {
  text: string;
  policy: string;
  image: unknown;
}

function requestFields(request: unknown): RequestFields {
  const fields = (typeof request === "object" && request !== null ? request : {}) as Record<string, unknown>;
  return {
    text: typeof fields.text === "string" ? fields.text : "",
    policy: typeof fields.policy === "string" ? fields.policy : "",
    image: fields.image,
  };
}

function requestPolicy(requested: string, fallback: PolicyName): PolicyName {
  if (requested === "") {
    return fallback;
  }
  try {
    return validateParameter("policy", requested);
  } catch (error) {
    if (error instanceof ParameterError) {
      throw new InputError(GROUND_REQUEST_SOURCE, "policy", "invalid_policy", `Rejected ${GROUND_REQUEST_SOURCE}: ${error.message}`);
    }
    throw error;
  }
}

function hasImageData(image: unknown): boolean {
  const data = (image as { data?: { length?: number } } | undefined)?.data;
  return typeof data?.length === "number" && data.length > 0;
}
