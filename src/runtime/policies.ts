/**
 * Block selection per policy: which gateable blocks run, and whether skipped scales are
 * approximated. docs/architecture.md ("Runtime") states the rules in prose.
 */
import { ArgumentError } from "../errors";
import { POLICY_NAMES } from "../params/declarations";
import { selectWithinBudget } from "./budget";
import type { BlockCostModel } from "./cost-model";
import type { ModelManifest } from "./manifest";
import type { GroundOptions } from "./types";

export interface Selection {
  selected: Set<string>;
  /** Rebuild skipped fusions with approximators. */
  approximate: boolean;
  /** Budget the plan was made for, in ms (budget policy only). */
  budgetMs?: number;
}

/**
 * Chooses the blocks for one inference. `gates` holds one probability per gateable block,
 * in gate order.
 */
export function selectBlocks(manifest: ModelManifest, gates: Float32Array, options: GroundOptions, costModel: BlockCostModel): Selection {
  checkGroundOptions(options);
  const threshold = options.gateThreshold ?? manifest.thresholds.gate;

  switch (options.policy) {
    case "full":
      return { selected: new Set(manifest.gateableBlocks), approximate: false };
    // lgmdp, softskip and static follow the training evaluation exactly, so that accuracy
    // matches the model card.
    case "lgmdp":
      return { selected: selectByThreshold(manifest, gates, threshold), approximate: false };
    case "softskip":
      return { selected: selectByThreshold(manifest, gates, threshold), approximate: true };
    case "static":
      return { selected: new Set(manifest.staticBlocks ?? manifest.gateableBlocks), approximate: false };
    case "budget": {
      const budgetMs = options.budgetMs as number;
      const approximate = options.softskip ?? true;
      return { selected: selectWithinBudget(manifest, gates, costModel, budgetMs, approximate), approximate, budgetMs };
    }
  }
}

/** Rejects option values no policy can use, naming the field and the value. */
export function checkGroundOptions(options: GroundOptions): void {
  if (!(POLICY_NAMES as readonly string[]).includes(options.policy)) {
    throw new ArgumentError(`policy is ${JSON.stringify(options.policy)} but must be one of ${POLICY_NAMES.join(", ")}.`);
  }
  if (options.policy === "budget" && (typeof options.budgetMs !== "number" || !Number.isFinite(options.budgetMs) || options.budgetMs <= 0)) {
    throw new ArgumentError(`budgetMs is ${String(options.budgetMs)} but the budget policy needs a positive number of milliseconds.`);
  }
  if (options.slowdown !== undefined && (typeof options.slowdown !== "number" || !Number.isFinite(options.slowdown) || options.slowdown <= 0)) {
    throw new ArgumentError(`slowdown is ${String(options.slowdown)} but must be a positive number (1 when predictions match real time).`);
  }
  for (const field of ["gateThreshold", "minScore"] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1)) {
      throw new ArgumentError(`${field} is ${String(value)} but must be a number in 0..1.`);
    }
  }
}

/**
 * Selects the gateable blocks at or above the threshold. When no fusion branch reaches it,
 * the branch with the highest gate runs anyway, because without a branch no head runs and
 * the command could never be grounded.
 */
function selectByThreshold(manifest: ModelManifest, gates: Float32Array, threshold: number): Set<string> {
  const selected = new Set(manifest.gateableBlocks.filter((_, gate) => gates[gate] >= threshold));
  const fusions = manifest.blocks.filter((block) => block.kind === "fusion" && block.gate !== null);
  if (fusions.length > 0 && !fusions.some((block) => selected.has(block.name))) {
    const best = fusions.reduce((a, b) => (gates[b.gate as number] > gates[a.gate as number] ? b : a));
    selected.add(best.name);
  }
  return selected;
}
