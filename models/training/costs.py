"""FLOPs and parameters per block, and the compute ratio of a plan.

FLOPs count 2 x multiply-accumulates of convolutions, linear layers and the attention
matrix products at batch size 1; element-wise operations are not counted.
"""
import torch
import torch.nn as nn

from blocks import Fusion
from model import APPROXIMATORS, GATE, INPUT_SIZE, SCALES, STRIDES, WIDTHS, softskip_schedule

MANDATORY_TO_C3 = ("stem", "stage2.down", "stage3.down")


def _block_inputs(model, name):
    size = INPUT_SIZE
    sentence = torch.zeros(1, model.text.norm.normalized_shape[0])
    fused_dim = model.blocks["head.s8"].hidden[0].in_channels
    shapes = {
        "stem": (3, size), "stage2.down": (WIDTHS["stem"], size // 2),
        "stage3.down": (WIDTHS["stage2"], size // 4), "stage3.res1": (WIDTHS["stage3"], size // 8),
        "stage4.down": (WIDTHS["stage3"], size // 8), "stage4.res1": (WIDTHS["stage4"], size // 16),
        "stage4.res2": (WIDTHS["stage4"], size // 16), "stage5.down": (WIDTHS["stage4"], size // 16),
        "stage5.res1": (WIDTHS["stage5"], size // 32), "stage5.res2": (WIDTHS["stage5"], size // 32),
        "fuse.s8": (WIDTHS["stage3"], size // 8), "fuse.s16": (WIDTHS["stage4"], size // 16),
        "fuse.s32": (WIDTHS["stage5"], size // 32),
    }
    for approx, _, source in APPROXIMATORS:
        shapes[approx] = (fused_dim, size // STRIDES[source])
    for scale in SCALES:
        shapes["head." + scale] = (fused_dim, size // STRIDES[scale])
    channels, grid = shapes[name]
    visual = torch.zeros(1, channels, grid, grid)
    return (visual, sentence) if name.startswith("fuse.") else (visual,)


def block_costs(model):
    """Return {block: {"flops", "params"}} measured with forward hooks at batch size 1."""
    costs = {}
    for name, block in model.blocks.items():
        macs = [0]

        def count(module, inputs, output, macs=macs):
            if isinstance(module, nn.Conv2d):
                k = module.kernel_size[0] * module.kernel_size[1]
                macs[0] += output.numel() * (module.in_channels // module.groups) * k
            elif isinstance(module, nn.Linear):
                macs[0] += output.numel() * module.in_features

        hooks = [m.register_forward_hook(count) for m in block.modules()
                 if isinstance(m, (nn.Conv2d, nn.Linear))]
        with torch.no_grad():
            inputs = _block_inputs(model, name)
            block.eval()(*inputs)
        for hook in hooks:
            hook.remove()
        if isinstance(block, Fusion):
            cells = inputs[0].shape[2] * inputs[0].shape[3]
            dim = block.context.out_features
            macs[0] += block.heads * cells * (dim + 2)
        costs[name] = {"flops": 2 * macs[0], "params": sum(p.numel() for p in block.parameters())}
    model.train()
    return costs


def text_cost(model):
    """FLOPs of the text encoder and gate for one sentence (reported, not in the ratio)."""
    tokens = model.text.position.shape[1]
    text = model.text
    macs = tokens * (text.conv1.in_channels * text.conv1.out_channels * 3
                     + text.conv2.in_channels * text.conv2.out_channels * 3
                     + text.attend.in_channels * text.attend.out_channels)
    macs += text.attend.out_channels * tokens * text.conv2.out_channels
    macs += sum(m.in_features * m.out_features for m in text.modules() if isinstance(m, nn.Linear))
    return {"flops": 2 * macs, "params": sum(p.numel() for p in text.parameters())}


def full_flops(costs):
    """Denominator of the compute ratio: every block except the approximators."""
    return sum(c["flops"] for n, c in costs.items() if not n.startswith("approx."))


def plan_ratio(plan, soft, costs, approximators=APPROXIMATORS):
    """Compute ratio [R] of plans [R, G] (0/1, straight-through allowed) under the
    block-graph execution rules; soft [R] = 1 under softskip, which uses `approximators`."""
    f = {n: c["flops"] for n, c in costs.items()}
    g = {n: plan[:, i] for n, i in GATE.items()}
    ran = {s: g["fuse." + s] for s in SCALES}
    need_c4 = ran["s16"] + ran["s32"] - ran["s16"] * ran["s32"]
    total = sum(f[n] for n in MANDATORY_TO_C3) + g["stage3.res1"] * f["stage3.res1"]
    total = total + need_c4 * (f["stage4.down"] + g["stage4.res1"] * f["stage4.res1"]
                               + g["stage4.res2"] * f["stage4.res2"])
    total = total + ran["s32"] * (f["stage5.down"] + g["stage5.res1"] * f["stage5.res1"]
                                  + g["stage5.res2"] * f["stage5.res2"])
    runs, have = softskip_schedule(ran, approximators)
    for s in SCALES:
        available = soft * have[s] + (1 - soft) * ran[s]
        total = total + ran[s] * f["fuse." + s] + available * f["head." + s]
    for name, _, _ in approximators:
        total = total + soft * runs[name] * f[name]
    return total / full_flops(costs)
