"""Training phases. Each phase runs for a wall-clock budget, not a step count, so the
whole recipe fits its time on a loaded machine; the learning rate follows a cosine over
the phase's elapsed fraction."""
import math
import random
import time

import torch
import torch.nn.functional as F

from costs import plan_ratio
from losses import assign_targets, grounding_loss
from model import APPROXIMATORS, GATE, GATEABLE, INPUT_SIZE, SCALES

FUSE_GATES = [GATE["fuse." + s] for s in SCALES]
# Gate logit every expression should reach on at least one fusion, so that some scale runs.
MIN_FUSE_LOGIT = 2.0


def random_plans(count, rng):
    """Random plans: each residual block runs with p = 0.6, each fusion with p = 0.5,
    and at least one fusion always runs."""
    plan = torch.zeros(count, len(GATEABLE))
    for r in range(count):
        for name, i in GATE.items():
            plan[r, i] = float(rng.random() < (0.5 if name.startswith("fuse.") else 0.6))
        if plan[r, FUSE_GATES].sum() == 0:
            plan[r, rng.choice(FUSE_GATES)] = 1.0
    return plan


def straight_through_gates(logits, temperature=1.0):
    """Hard 0/1 gates with logistic noise forward, sigmoid gradient backward."""
    u = torch.rand_like(logits).clamp(1e-6, 1 - 1e-6)
    noisy = (logits + torch.log(u) - torch.log(1 - u)) / temperature
    soft = torch.sigmoid(noisy)
    return (noisy > 0).float() + soft - soft.detach()


def distillation_loss(model, fused):
    """Each approximator rebuilds its target scale from the real fused source scale."""
    loss = 0.0
    for name, target, source in APPROXIMATORS:
        rebuilt = model.blocks[name](fused[source].detach())
        loss = loss + F.mse_loss(rebuilt, fused[target].detach())
    return loss


class Trainer:
    def __init__(self, model, sampler, costs, log, seed):
        self.model = model
        self.sampler = sampler
        self.costs = costs
        self.log = log
        self.rng = random.Random(seed + 1)
        self.anchors = {s: model.blocks["head." + s].anchors[0].tolist() for s in SCALES}
        self.step_count = 0

    def _groups(self, refs, sizes):
        """Split ref positions into consecutive groups with the given fractions."""
        counts = [int(round(refs * f)) for f in sizes[:-1]]
        counts.append(refs - sum(counts))
        bounds, start = [], 0
        for c in counts:
            bounds.append((start, start + c))
            start += c
        return bounds

    def _step(self, optimizer, phase, static_plan, cost_target):
        model = self.model
        pixels, ref_image, tokens, boxes = self.sampler.batch()
        c3_0, res3 = model.shared_backbone(pixels)
        shared = (c3_0[ref_image], res3[ref_image])
        sentence = model.text.encode(tokens)
        refs = len(boxes)

        plan = torch.ones(refs, len(GATEABLE))
        soft = torch.zeros(refs)
        logs = {}
        if phase == 1:
            full, sk, lg = self._groups(refs, [0.35, 0.4, 0.25])
            plan[sk[0]:lg[1]] = random_plans(lg[1] - sk[0], self.rng)
            soft[sk[0]:sk[1]] = 1.0
            gate_loss = 0.0
        else:
            full, sk, lg, st = self._groups(refs, [0.15, 0.45, 0.2, 0.2])
            logits = model.text.gate_logits(sentence)
            gates = straight_through_gates(logits)
            plan = torch.cat([torch.ones(full[1], len(GATEABLE)), gates[sk[0]:lg[1]],
                              static_plan.expand(st[1] - st[0], -1)], 0)
            soft[sk[0]:sk[1]] = 1.0
            ratio = plan_ratio(plan[sk[0]:sk[1]], soft[sk[0]:sk[1]], self.costs)
            mean_ratio = ratio.mean()
            fuse_margin = F.relu(MIN_FUSE_LOGIT - logits[:, FUSE_GATES].max(1).values).mean()
            gate_loss = 0.3 * mean_ratio + 4.0 * F.relu(mean_ratio - cost_target) + 0.5 * fuse_margin
            logs["ratio"] = float(mean_ratio)

        raw, avail, fused, _ = model.forward_refs(shared, sentence, plan, soft)
        targets = assign_targets(boxes, self.anchors, INPUT_SIZE)
        parts = grounding_loss(model, raw, avail, boxes, targets)
        task = parts["rank"] + parts["presence"] + parts["anchor"] + parts["box"]
        full_fused = {s: fused[s][full[0]:full[1]] for s in SCALES}
        distill = distillation_loss(model, full_fused)
        loss = task + distill + gate_loss

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        optimizer.step()
        self.step_count += 1
        logs.update({k: float(v) for k, v in parts.items()})
        logs["distill"] = float(distill)
        return logs

    def run_phase(self, phase, seconds, lr, static_plan=None, cost_target=0.5):
        """Train phase 1 (random plans) or phase 2 (learned gate, static plan, full)."""
        model = self.model
        model.train()
        gate_params = list(model.text.gate.parameters())
        gate_ids = {id(p) for p in gate_params}
        other = [p for p in model.parameters() if id(p) not in gate_ids]
        optimizer = torch.optim.AdamW([
            {"params": other, "lr": lr},
            {"params": gate_params, "lr": lr * (1.0 if phase == 1 else 4.0)},
        ], weight_decay=1e-4, foreach=True)
        base = [g["lr"] for g in optimizer.param_groups]
        start = time.monotonic()
        last_log = start
        totals, count, steps = {}, 0, 0
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= seconds:
                break
            frac = elapsed / seconds
            warm = min(1.0, frac / 0.03) if phase == 1 else 1.0
            scale = warm * 0.5 * (1 + math.cos(math.pi * frac)) + 0.01
            for group, b in zip(optimizer.param_groups, base):
                group["lr"] = b * scale
            logs = self._step(optimizer, phase, static_plan, cost_target)
            steps += 1
            for k, v in logs.items():
                totals[k] = totals.get(k, 0.0) + v
            count += 1
            if time.monotonic() - last_log > 60 or elapsed + 1e-9 >= seconds:
                means = " ".join(f"{k}={v / count:.3f}" for k, v in sorted(totals.items()))
                self.log(f"phase {phase} {elapsed / 60:5.1f} min step {steps} lr {base[0] * scale:.2e} {means}")
                totals, count, last_log = {}, 0, time.monotonic()
        self.log(f"phase {phase} done: {steps} steps in {(time.monotonic() - start) / 60:.1f} min")
        return steps
