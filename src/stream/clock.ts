/**
 * The stream's default clock. Latencies are differences of `now()` values, so the clock is
 * the monotonic performance clock (sub-millisecond, never stepped by NTP) rather than
 * `Date.now()`, whose whole milliseconds and jumps would feed the budget controller noise.
 */
import { performance } from "node:perf_hooks";

import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from "rxjs";

/** Returns milliseconds on the monotonic performance clock: the default stream clock. */
export function monotonicNow(): number {
  return performance.now();
}

/** rxjs scheduler whose `now()` is the monotonic clock plus an offset; timers are asyncScheduler's. */
export class MonotonicScheduler implements SchedulerLike {
  constructor(private readonly offsetMs: () => number = () => 0) {}

  now(): number {
    return performance.now() + this.offsetMs();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return asyncScheduler.schedule(work, delay, state);
  }
}

/** The default scheduler of `createGroundingStream`: frames' `receivedAtMs` must come from `monotonicNow`. */
export const monotonicScheduler: SchedulerLike = new MonotonicScheduler();
