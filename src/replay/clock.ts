/**
 * The two replay clocks. Both are rxjs schedulers, so the grounding stream measures
 * latency on them exactly as it does on the robot.
 *
 * - Bag time (`--rate 1` or another factor): messages are released by real timers at
 *   their log time, scaled by the rate, and stamped with the wall clock on arrival.
 * - As fast as possible (`--rate max`): arrival times are bag times, so command lifetimes
 *   and input rates follow the recording, while `now()` also advances with the wall clock
 *   so latency measures real processing time. `now()` never runs behind the last arrival.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

import type { SchedulerLike } from "rxjs";

import { MonotonicScheduler } from "../stream/clock";

export interface ReplayClock {
  readonly scheduler: SchedulerLike;
  /** Waits until the message logged at `logTimeNs` is due, and returns its arrival time in ms. */
  arrive(logTimeNs: bigint): Promise<number>;
}

/** Releases messages in bag time divided by `rate`; an aborted `signal` ends the wait at once. */
export function createRealTimeClock(rate: number, signal?: AbortSignal): ReplayClock {
  const scheduler = new MonotonicScheduler(() => 0);
  let firstLogTimeNs: bigint | undefined;
  let startMs = 0;
  return {
    scheduler,
    async arrive(logTimeNs: bigint): Promise<number> {
      if (firstLogTimeNs === undefined) {
        firstLogTimeNs = logTimeNs;
        startMs = scheduler.now();
      }
      const dueMs = startMs + Number(logTimeNs - firstLogTimeNs) / 1e6 / rate;
      const waitMs = dueMs - scheduler.now();
      if (waitMs > 0) {
        await sleep(waitMs, undefined, { signal });
      }
      return scheduler.now();
    },
  };
}

/** Releases messages at once; arrival time is bag time in ms since the first message. */
export function createMaxRateClock(): ReplayClock {
  let offsetMs = -performance.now();
  const scheduler = new MonotonicScheduler(() => offsetMs);
  let firstLogTimeNs: bigint | undefined;
  return {
    scheduler,
    async arrive(logTimeNs: bigint): Promise<number> {
      firstLogTimeNs ??= logTimeNs;
      const arrivalMs = Number(logTimeNs - firstLogTimeNs) / 1e6;
      // Skip idle bag time: when the recording is ahead of the clock, jump the clock to it.
      const behindMs = arrivalMs - scheduler.now();
      if (behindMs > 0) {
        offsetMs += behindMs;
      }
      return arrivalMs;
    },
  };
}
