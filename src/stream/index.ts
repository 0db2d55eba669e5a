export { BudgetController } from "./budget-controller";
export type { BudgetControllerOptions, BudgetState, LatencySample } from "./budget-controller";
export { createGroundingStream } from "./grounding-stream";
export type { GroundingStreamEngine, GroundingStreamOptions } from "./options";
export type * from "./types";
