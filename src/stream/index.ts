export { BudgetController } from "./budget-controller";
export type { BudgetControllerOptions, BudgetState, LatencySample } from "./budget-controller";
export { MonotonicScheduler, monotonicNow, monotonicScheduler } from "./clock";
export { createGroundingStream } from "./grounding-stream";
export type { GroundingStreamEngine, GroundingStreamOptions } from "./options";
export type * from "./types";
