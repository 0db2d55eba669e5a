"""Training phases. Each phase runs for a wall-clock budget, not a step count, so the
whole recipe fits its time on a loaded machine. The learning rate follows a cosine over
the phase's elapsed fraction."""
import math
import random
import time

import torch
import torch.nn.functional as F

from costs import plan_ratio
from losses import AttributeHeads, assign_targets, grounding_loss
from model import APPROXIMATORS, GATE, GATEABLE, INPUT_SIZE, SCALES

FUSE_GATES = [GATE["fuse." + s] for s in SCALES]
# Share of phase-1 scenes that run a random plan once the ramp is over. The other scenes
# run the full network.
SUBNET_SHARE = 0.75
# Fraction of phase 1 over which that share grows from 0. Random plans act like heavy
# stochastic depth, and the model underfits (train and val accuracy are equal), so the
# full network first learns alone.
SUBNET_RAMP = 0.5
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


def straight_through_gates(logits, noise=0.5):
    """Hard 0/1 gates with logistic noise (scale `noise`) forward, sigmoid gradient backward."""
    u = torch.rand_like(logits).clamp(1e-6, 1 - 1e-6)
    noisy = logits + noise * (torch.log(u) - torch.log(1 - u))
    soft = torch.sigmoid(noisy)
    return (noisy > 0).float() + soft - soft.detach()


def distillation_loss(model, fused):
    """Return the error of each approximator rebuilding its target scale from the real fused source."""
    loss = 0.0
    for name, target, source in APPROXIMATORS:
        rebuilt = model.blocks[name](fused[source].detach())
        loss = loss + F.mse_loss(rebuilt.float(), fused[target].detach().float())
    return loss


class Trainer:
    def __init__(self, model, sampler, costs, log, seed, bf16=False):
        self.model = model
        # Convolutions and matrix products in bfloat16 under CPU autocast, weights and
        # losses in float32: 1.41 times the steps per second of float32 on a 2-core AMD
        # EPYC with avx512_bf16 (4.55 against 3.22 phase-1 steps/s over 45 s).
        self.bf16 = bf16
        self.sampler = sampler
        self.costs = costs
        self.log = log
        self.rng = random.Random(seed + 1)
        self.anchors = {s: model.blocks["head." + s].anchors[0].tolist() for s in SCALES}
        self.step_count = 0
        # Elapsed fraction of the current phase, for the schedules.
        self.progress = 0.0
        dataset = sampler.dataset
        widths = [model.blocks[n].expand[0].out_channels for n in ("stage3.res1", "stage4.res1", "stage5.res1")]
        self.attributes = AttributeHeads(widths, len(dataset.category_ids), len(dataset.colors))

    def _step(self, optimizer, phase, static_plan, cost_target):
        """Run one optimisation step on a batch of scenes."""
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            loss, logs = self._loss(phase, static_plan, cost_target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 10.0)
        optimizer.step()
        self.step_count += 1
        return logs

    def _loss(self, phase, static_plan, cost_target):
        """Return the loss of one batch of scenes and its parts for the log.

        Backbone plans are drawn per scene where possible, because stages 4 and 5 then
        run once per scene instead of once per ref. In phase 1 every ref of a scene
        shares the scene's residual-block plan, and fusion plans stay per ref. In phase 2
        one scene runs the full network, one the static plan, and the rest follow the
        learned per-ref gates.
        """
        model = self.model
        pixels, ref_image, tokens, boxes, objects = self.sampler.batch()
        images, refs = pixels.shape[0], len(boxes)
        c3_0, res3 = model.shared_backbone(pixels)
        sentence = model.text.encode(tokens)
        rng = self.rng
        logs = {}

        if phase == 1:
            subnet_share = SUBNET_SHARE * min(1.0, self.progress / SUBNET_RAMP)
            full_images = max(1, images - round(subnet_share * images))
            image_plan = torch.ones(images, len(GATEABLE))
            image_plan[full_images:] = random_plans(images - full_images, rng)
            plan = image_plan[ref_image].clone()
            is_full = ref_image < full_images
            fusion_plan = random_plans(refs, rng)[:, FUSE_GATES]
            plan[:, FUSE_GATES] = torch.where(is_full.unsqueeze(1), plan[:, FUSE_GATES], fusion_plan)
            soft = torch.tensor([float(rng.random() < 0.6) for _ in range(refs)])
            per_image = model.gated_backbone((c3_0, res3), image_plan)
            features = [f[ref_image] for f in per_image]
            attribute_loss = self.attributes(per_image, objects, INPUT_SIZE)
            gate_loss = 0.0
        else:
            image_plan = torch.ones(images, len(GATEABLE))
            image_plan[1] = static_plan[0]
            per_image = model.gated_backbone((c3_0[:2], res3[:2]), image_plan[:2])
            attribute_loss = self.attributes(per_image, [o for o in objects if o[0] < 2], INPUT_SIZE)
            gated = torch.nonzero(ref_image >= 2).flatten()
            logits = model.text.gate_logits(sentence).float()
            gates = straight_through_gates(logits[gated])
            per_ref = model.gated_backbone((c3_0[ref_image[gated]], res3[ref_image[gated]]), gates)
            fixed = ref_image.clamp(max=1)
            features = [f[fixed].index_copy(0, gated, g) for f, g in zip(per_image, per_ref)]
            plan = image_plan[fixed].index_copy(0, gated, gates)
            soft = torch.zeros(refs)
            soft[gated] = torch.tensor([float(rng.random() < 0.7) for _ in range(len(gated))])
            ratio = plan_ratio(plan[gated], soft[gated], self.costs)
            mean_ratio = ratio.mean()
            fuse_margin = F.relu(MIN_FUSE_LOGIT - logits[:, FUSE_GATES].max(1).values).mean()
            gate_loss = 0.3 * mean_ratio + 3.0 * F.relu(mean_ratio - cost_target) + 0.5 * fuse_margin
            logs["ratio"] = float(mean_ratio)
            is_full = ref_image == 0

        raw, avail, fused, _ = model.forward_refs(None, sentence, plan, soft, features=features)
        raw, avail = {s: r.float() for s, r in raw.items()}, avail.float()
        targets = assign_targets(boxes, self.anchors, INPUT_SIZE)
        parts = grounding_loss(model, raw, avail, boxes, targets)
        task = parts["rank"] + parts["presence"] + parts["anchor"] + parts["box"]
        full_fused = {s: fused[s][is_full] for s in SCALES}
        distill = distillation_loss(model, full_fused)
        loss = task + distill + gate_loss + 0.5 * attribute_loss
        logs.update({k: float(v) for k, v in parts.items()})
        logs["distill"] = float(distill)
        logs["attributes"] = float(attribute_loss)
        return loss, logs

    def run_phase(self, phase, seconds, lr, static_plan=None, cost_target=0.5):
        """Train phase 1 (random plans) or phase 2 (learned gate, static plan, full)."""
        model = self.model
        model.train()
        gate_params = list(model.text.gate.parameters())
        gate_ids = {id(p) for p in gate_params}
        other = [p for p in model.parameters() if id(p) not in gate_ids] + list(self.attributes.parameters())
        optimizer = torch.optim.AdamW([
            {"params": other, "lr": lr},
            {"params": gate_params, "lr": lr * (1.0 if phase == 1 else 2.0)},
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
            self.progress = frac
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
