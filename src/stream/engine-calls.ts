import { defer, from, take, type ObservableInput } from "rxjs";

import { thresholdOverride, type GroundingParameters } from "../params/declarations";
import type { GroundOptions } from "../runtime/types";

/** The single outcome of one engine call. */
export interface CallHandlers<T> {
  value(result: T): void;
  failure(error: unknown): void;
}

/**
 * Subscribes to one engine call (a Promise or an Observable) and reports exactly one
 * outcome: its first value, its error, or an Error naming `callName` when it completes
 * without a value. A synchronous throw inside `call` counts as its error.
 *
 * The subscription is never cancelled. A Promise-backed call cannot be cancelled, and an
 * encoding that arrives after its command was replaced must still be released.
 */
export function settleOnce<T>(call: () => ObservableInput<T>, callName: string, handlers: CallHandlers<T>): void {
  let settled = false;
  from(defer(call))
    .pipe(take(1))
    .subscribe({
      next: (result) => {
        settled = true;
        handlers.value(result);
      },
      error: (error: unknown) => {
        settled = true;
        handlers.failure(error);
      },
      complete: () => {
        if (!settled) {
          handlers.failure(new Error(`${callName} completed without a result`));
        }
      },
    });
}

/** Builds the engine options for one frame from the parameters in force and the controller's budget. */
export function groundOptionsFor(parameters: GroundingParameters, modelBudgetMs: number, slowdown = 1): GroundOptions {
  return {
    policy: parameters.policy,
    budgetMs: modelBudgetMs,
    slowdown,
    gateThreshold: thresholdOverride(parameters.gate_threshold),
    softskip: parameters.softskip,
    minScore: thresholdOverride(parameters.min_score),
  };
}
