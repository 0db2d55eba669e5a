/**
 * Consistency checks across blocks: unique names, gate numbering, skip rules that fit the
 * block kind, and tensors that are produced before they are read.
 */
import type { BlockSpec } from "./manifest";
import { IMAGE_TENSOR, SENTENCE_TENSOR } from "./manifest";
import type { ManifestProblem } from "./manifest-fields";

export interface GraphSummary {
  /** Gateable block names ordered by gate index. */
  gateableBlocks: string[];
  /** FLOPs of all non-approximator blocks. */
  fullFlops: number;
}

export function checkGraph(
  problem: ManifestProblem,
  blocks: BlockSpec[],
  outputs: string[],
  anchors: Record<string, unknown>,
): GraphSummary {
  checkBlockRules(problem, blocks, anchors);
  checkDataFlow(problem, blocks, outputs);

  const gateableBlocks = orderGates(problem, blocks);
  const fullFlops = blocks.filter((block) => block.kind !== "approximator").reduce((sum, block) => sum + block.flops, 0);
  if (fullFlops <= 0) {
    throw problem.error("blocks declare 0 FLOPs in total, so compute ratios cannot be computed; export the per-block flops.");
  }
  return { gateableBlocks, fullFlops };
}

function checkBlockRules(problem: ManifestProblem, blocks: BlockSpec[], anchors: Record<string, unknown>): void {
  const names = new Set<string>();
  for (const [index, block] of blocks.entries()) {
    const at = `blocks[${index}] (${JSON.stringify(block.name)})`;
    if (names.has(block.name)) {
      throw problem.error(`${at} repeats the name of an earlier block; block names must be unique.`);
    }
    names.add(block.name);

    if (block.mandatory && block.gate !== null) {
      throw problem.error(`${at} is mandatory but has gate ${block.gate}; a mandatory block must have gate null.`);
    }
    if (block.gate !== null && block.skip === "none") {
      throw problem.error(`${at} has gate ${block.gate} but no skip rule; add "skip": {"type": "identity"} or {"type": "softskip"}.`);
    }
    if (block.skip === "identity" && block.outputs.length !== 1) {
      throw problem.error(`${at} has an identity skip but ${block.outputs.length} outputs; an identity skip needs exactly one.`);
    }
    if (block.skip === "softskip" && block.kind !== "fusion") {
      throw problem.error(`${at} has a softskip skip but kind ${block.kind}; only fusion blocks can be approximated.`);
    }
    if (block.kind === "approximator" && (block.gate !== null || block.outputs.length !== 1)) {
      throw problem.error(`${at} is an approximator, so it must have gate null and exactly one output.`);
    }
    if (block.kind !== "backbone" && block.scale === null) {
      throw problem.error(`${at} is a ${block.kind} block without a scale; set "scale" (for example "s8").`);
    }
    if (block.kind === "head" && block.scale !== null && anchors[block.scale] === undefined) {
      throw problem.error(`${at} has scale ${JSON.stringify(block.scale)} but anchors has no entry for it.`);
    }
  }
}

/** Walks the blocks in manifest order, which must be an execution order. */
function checkDataFlow(problem: ManifestProblem, blocks: BlockSpec[], outputs: string[]): void {
  const producer = new Map<string, BlockSpec>([
    [IMAGE_TENSOR, imageOrSentence(IMAGE_TENSOR)],
    [SENTENCE_TENSOR, imageOrSentence(SENTENCE_TENSOR)],
  ]);

  for (const [index, block] of blocks.entries()) {
    const at = `blocks[${index}] (${JSON.stringify(block.name)})`;
    for (const input of block.inputs) {
      if (!producer.has(input)) {
        throw problem.error(`${at} reads tensor ${JSON.stringify(input)} before any earlier block produces it; list blocks in execution order.`);
      }
    }
    for (const output of block.outputs) {
      const earlier = producer.get(output);
      if (block.kind === "approximator") {
        if (earlier === undefined || earlier.kind !== "fusion" || earlier.skip !== "softskip") {
          throw problem.error(`${at} produces ${JSON.stringify(output)}, which must be the output of an earlier fusion block with a softskip skip.`);
        }
        continue;
      }
      if (earlier !== undefined) {
        throw problem.error(`${at} produces tensor ${JSON.stringify(output)}, which ${JSON.stringify(earlier.name)} already produces; tensor names must be unique.`);
      }
      producer.set(output, block);
    }
  }

  for (const output of outputs) {
    if (producer.get(output)?.kind !== "head") {
      throw problem.error(`outputs lists ${JSON.stringify(output)}, which no head block produces.`);
    }
  }
}

function imageOrSentence(name: string): BlockSpec {
  return { name, file: "", kind: "backbone", inputs: [], outputs: [name], flops: 0, params: 0, gate: null, mandatory: true, skip: "none", scale: null };
}

function orderGates(problem: ManifestProblem, blocks: BlockSpec[]): string[] {
  const gated = blocks.filter((block) => block.gate !== null);
  const byGate: string[] = [];
  for (const block of gated) {
    const gate = block.gate as number;
    if (gate >= gated.length) {
      throw problem.error(`${JSON.stringify(block.name)} has gate ${gate} but there are ${gated.length} gated blocks; number gates 0..${gated.length - 1}.`);
    }
    if (byGate[gate] !== undefined) {
      throw problem.error(`${JSON.stringify(block.name)} and ${JSON.stringify(byGate[gate])} share gate ${gate}; each gated block needs its own gate index.`);
    }
    byGate[gate] = block.name;
  }
  return byGate;
}
