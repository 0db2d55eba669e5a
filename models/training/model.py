"""The LGMDP grounding network as a graph of named blocks, with plan-aware execution.

A plan is a 0/1 value per gateable block (GATEABLE order). Execution follows the
runtime rules of the block-graph format. A block runs only when a running head needs
its output, and a skipped residual block is the identity. A skipped fusion is either
dropped (lgmdp, static) or rebuilt by the first approximator, in manifest order, whose
input exists by then (softskip). Training runs every block and multiplies by the
plan, so gradients reach the gate through straight-through estimates.
"""
import torch
import torch.nn as nn

from blocks import Approximator, Fusion, Head, Residual, TextEncoder, conv_bn_act

INPUT_SIZE = 256
WIDTHS = {"stem": 12, "stage2": 24, "stage3": 48, "stage4": 96, "stage5": 192}
FUSED_DIM = 64
SENTENCE_DIM = 128
SCALES = ("s8", "s16", "s32")
STRIDES = {"s8": 8, "s16": 16, "s32": 32}
GATEABLE = ("stage3.res1", "stage4.res1", "stage4.res2", "stage5.res1", "stage5.res2",
            "fuse.s8", "fuse.s16", "fuse.s32")
GATE = {name: i for i, name in enumerate(GATEABLE)}
# Order matters: under sequential execution this order lets every skipped scale be
# rebuilt from any single fused scale (s8 -> s16 -> s32 and s32 -> s16 -> s8).
APPROXIMATORS = (("approx.s16_from_s8", "s16", "s8"), ("approx.s16_from_s32", "s16", "s32"),
                 ("approx.s8_from_s16", "s8", "s16"), ("approx.s32_from_s16", "s32", "s16"))
POLICIES = ("full", "lgmdp", "softskip", "static")


class BlockDict(nn.ModuleDict):
    """ModuleDict keyed by block names; PyTorch forbids "." in module names, so keys are
    stored with "-" and translated on access."""

    def __getitem__(self, name):
        return super().__getitem__(name.replace(".", "-"))

    def __setitem__(self, name, module):
        super().__setitem__(name.replace(".", "-"), module)

    def items(self):
        return [(key.replace("-", "."), module) for key, module in super().items()]


class GroundingNet(nn.Module):
    def __init__(self, vocab_size, max_tokens, anchors):
        super().__init__()
        w = WIDTHS
        self.text = TextEncoder(vocab_size, max_tokens, len(GATEABLE), sentence_dim=SENTENCE_DIM)
        self.blocks = BlockDict()
        b = self.blocks
        b["stem"] = conv_bn_act(3, w["stem"], 3, 2)
        b["stage2.down"] = conv_bn_act(w["stem"], w["stage2"], 3, 2)
        b["stage3.down"] = conv_bn_act(w["stage2"], w["stage3"], 3, 2)
        b["stage3.res1"] = Residual(w["stage3"])
        b["stage4.down"] = conv_bn_act(w["stage3"], w["stage4"], 3, 2)
        b["stage4.res1"] = Residual(w["stage4"])
        b["stage4.res2"] = Residual(w["stage4"])
        b["stage5.down"] = conv_bn_act(w["stage4"], w["stage5"], 3, 2)
        b["stage5.res1"] = Residual(w["stage5"])
        b["stage5.res2"] = Residual(w["stage5"])
        for scale, stage in zip(SCALES, ("stage3", "stage4", "stage5")):
            grid = INPUT_SIZE // STRIDES[scale]
            b["fuse." + scale] = Fusion(w[stage], FUSED_DIM, SENTENCE_DIM, grid)
        for name, target, source in APPROXIMATORS:
            factor = 2 if STRIDES[source] > STRIDES[target] else 0.5
            b[name] = Approximator(FUSED_DIM, factor)
        # The approximators softskip uses, in APPROXIMATORS order. Training uses all of them.
        # train.py then drops those that do not earn their compute on val, so the export
        # leaves them out of the block graph.
        self.rebuilds = APPROXIMATORS
        for scale in SCALES:
            grid = INPUT_SIZE // STRIDES[scale]
            b["head." + scale] = Head(FUSED_DIM, grid, STRIDES[scale], anchors[scale])

    def shared_backbone(self, images):
        """Per-image part: mandatory blocks up to stride 8 and the stage 3 residual branch.

        Returns (c3.0, residual of stage3.res1). The gate decides per ref whether the
        residual is added, so both are computed once per image and indexed per ref.
        """
        b = self.blocks
        x = b["stage3.down"](b["stage2.down"](b["stem"](images)))
        return x, b["stage3.res1"].residual(x)

    def _gated_residual(self, name, x, plan):
        g = plan[:, GATE[name]].view(-1, 1, 1, 1)
        return x + g * self.blocks[name].residual(x)

    def gated_backbone(self, shared, plan):
        """Stages 3 to 5 under a plan: shared = (c3.0, stage3 residual), plan [N, G].

        Rows are images or refs; returns (c3, c4, c5).
        """
        b = self.blocks
        c3 = shared[0] + _bcast(plan[:, GATE["stage3.res1"]]) * shared[1]
        c4 = self._gated_residual("stage4.res1", b["stage4.down"](c3), plan)
        c4 = self._gated_residual("stage4.res2", c4, plan)
        c5 = self._gated_residual("stage5.res1", b["stage5.down"](c4), plan)
        c5 = self._gated_residual("stage5.res2", c5, plan)
        return c3, c4, c5

    def forward_refs(self, shared, sentence, plan, soft, features=None):
        """Run the expression-dependent part for R refs.

        shared: (c3.0, stage3 residual), each [R, C, 32, 32], sentence: [R, D],
        plan: [R, G] in {0, 1} (straight-through values allowed), soft: [R] 1 where a
        skipped fusion is rebuilt by an approximator (softskip), 0 where its scale is
        dropped (lgmdp, static). The full policy is plan = 1. features: (c3, c4, c5)
        already computed under the plan's backbone gates (shared is then unused).
        Returns raw head outputs per scale, scale availability [R, 3], fused features
        and approximator outputs.
        """
        b = self.blocks
        c3, c4, c5 = features if features is not None else self.gated_backbone(shared, plan)
        fused = {"s8": b["fuse.s8"](c3, sentence), "s16": b["fuse.s16"](c4, sentence),
                 "s32": b["fuse.s32"](c5, sentence)}
        ran = {s: plan[:, GATE["fuse." + s]] for s in SCALES}
        runs, have = softskip_schedule(ran, self.rebuilds)

        used = {s: _bcast(ran[s]) * fused[s] for s in SCALES}
        approx = {}
        for name, target, source in self.rebuilds:
            approx[name] = b[name](used[source])
            used[target] = used[target] + _bcast(soft * runs[name]) * approx[name]

        raw = {s: b["head." + s].raw(used[s]) for s in SCALES}
        avail = torch.stack([soft * have[s] + (1 - soft) * ran[s] for s in SCALES], 1)
        return raw, avail, fused, approx


def _bcast(v):
    return v.view(-1, 1, 1, 1)


def softskip_schedule(ran, approximators=APPROXIMATORS):
    """Which approximators run, and which scales exist after them, under softskip.

    ran: {scale: [R] 0/1 fusion ran}; approximators: the model's, a subsequence of
    APPROXIMATORS. Blocks execute in manifest order. An approximator
    runs when its target is still missing and its source exists by then (fused or
    rebuilt by an earlier approximator). Returns ({approximator: [R]}, {scale: [R]}).
    """
    have = dict(ran)
    runs = {}
    for name, target, source in approximators:
        runs[name] = (1 - have[target]) * have[source]
        have[target] = have[target] + runs[name]
    return runs, have


def block_graph(anchors, approximators=APPROXIMATORS):
    """Return the manifest block list (without costs) in execution order."""
    blocks = [
        ("stem", "backbone", ["image"], ["x2"]),
        ("stage2.down", "backbone", ["x2"], ["x4"]),
        ("stage3.down", "backbone", ["x4"], ["c3.0"]),
        ("stage3.res1", "backbone", ["c3.0"], ["c3"]),
        ("stage4.down", "backbone", ["c3"], ["c4.0"]),
        ("stage4.res1", "backbone", ["c4.0"], ["c4.1"]),
        ("stage4.res2", "backbone", ["c4.1"], ["c4"]),
        ("stage5.down", "backbone", ["c4"], ["c5.0"]),
        ("stage5.res1", "backbone", ["c5.0"], ["c5.1"]),
        ("stage5.res2", "backbone", ["c5.1"], ["c5"]),
        ("fuse.s8", "fusion", ["c3", "sentence"], ["f8"]),
        ("fuse.s16", "fusion", ["c4", "sentence"], ["f16"]),
        ("fuse.s32", "fusion", ["c5", "sentence"], ["f32"]),
    ]
    for name, target, source in approximators:
        blocks.append((name, "approximator", ["f" + source[1:]], ["f" + target[1:]]))
    for scale in SCALES:
        blocks.append(("head." + scale, "head", ["f" + scale[1:]], ["pred." + scale]))
    out = []
    for name, kind, inputs, outputs in blocks:
        entry = {"name": name, "file": name + ".onnx", "kind": kind, "inputs": inputs,
                 "outputs": outputs}
        gate = GATE.get(name)
        entry["gate"] = gate
        entry["mandatory"] = gate is None and kind in ("backbone", "head")
        if kind == "backbone" and gate is not None:
            entry["skip"] = {"type": "identity"}
        elif kind == "fusion":
            entry["skip"] = {"type": "softskip"}
        if kind in ("fusion", "approximator", "head"):
            entry["scale"] = outputs[0].replace("f", "s").replace("pred.", "")
        out.append(entry)
    return out
