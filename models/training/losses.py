"""Anchors, target assignment and the grounding losses."""
import random

import torch
import torch.nn.functional as F

from model import SCALES, STRIDES

ANCHORS_PER_SCALE = 3


def kmeans_anchors(sizes, seed=0, iterations=30):
    """Cluster (w, h) box sizes in input pixels into 9 anchors with 1 - IoU distance.

    Returns {scale: [[w, h] x 3]}, smallest anchors at stride 8.
    """
    rng = random.Random(seed)
    sizes = torch.tensor(sizes, dtype=torch.float32)
    k = ANCHORS_PER_SCALE * len(SCALES)
    if len(sizes) < k:
        sizes = torch.cat([sizes, torch.tensor([[8.0 * 2 ** (i / 2)] * 2 for i in range(k)])])
    centres = sizes[rng.sample(range(len(sizes)), k)].clone()
    for _ in range(iterations):
        assign = shape_iou(sizes, centres).argmax(1)
        for j in range(k):
            members = sizes[assign == j]
            if len(members):
                centres[j] = members.median(0).values
    centres = centres[centres.prod(1).argsort()]
    return {s: [[round(float(w), 2), round(float(h), 2)] for w, h in
                centres[i * ANCHORS_PER_SCALE:(i + 1) * ANCHORS_PER_SCALE]]
            for i, s in enumerate(SCALES)}


def shape_iou(a, b):
    """IoU of (w, h) pairs aligned at a common centre: a [N, 2], b [K, 2] -> [N, K]."""
    inter = torch.min(a[:, None, 0], b[None, :, 0]) * torch.min(a[:, None, 1], b[None, :, 1])
    return inter / (a[:, None].prod(2) + b[None].prod(2) - inter)


def box_iou(a, b):
    """IoU of (cx, cy, w, h) boxes with matching leading shapes."""
    ax0, ay0 = a[..., 0] - a[..., 2] / 2, a[..., 1] - a[..., 3] / 2
    ax1, ay1 = a[..., 0] + a[..., 2] / 2, a[..., 1] + a[..., 3] / 2
    bx0, by0 = b[..., 0] - b[..., 2] / 2, b[..., 1] - b[..., 3] / 2
    bx1, by1 = b[..., 0] + b[..., 2] / 2, b[..., 1] + b[..., 3] / 2
    iw = (torch.min(ax1, bx1) - torch.max(ax0, bx0)).clamp(min=0)
    ih = (torch.min(ay1, by1) - torch.max(ay0, by0)).clamp(min=0)
    inter = iw * ih
    return inter / (a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter + 1e-9)


def assign_targets(boxes, anchors, input_size):
    """Per scale, the positive (cell, anchor) of each present ref: the best-shaped anchor
    at the cell holding the box centre. Every scale gets a positive, so each head can
    locate the referent alone when the others are skipped.

    Returns {scale: (ref_index, cell, anchor, box [P, 4])}.
    """
    present = [(i, b) for i, b in enumerate(boxes) if b is not None]
    targets = {}
    for scale in SCALES:
        stride = STRIDES[scale]
        grid = input_size // stride
        anchor_t = torch.tensor(anchors[scale])
        if not present:
            targets[scale] = (torch.zeros(0, dtype=torch.long),) * 3 + (torch.zeros(0, 4),)
            continue
        idx = torch.tensor([i for i, _ in present])
        box = torch.tensor([b for _, b in present], dtype=torch.float32)
        gx = (box[:, 0] / stride).long().clamp(0, grid - 1)
        gy = (box[:, 1] / stride).long().clamp(0, grid - 1)
        best = shape_iou(box[:, 2:], anchor_t).argmax(1)
        targets[scale] = (idx, gy * grid + gx, best, box)
    return targets


# Temperature of the IoU-weighted ranking target over the positives of the scales (IoU units).
RANK_IOU_TEMPERATURE = 0.1


def grounding_loss(model, raw, avail, boxes, targets):
    """Ranking, presence and box losses over the available scales.

    raw: {scale: [R, cells, A, 5]}, avail: [R, 3] (0/1, straight-through allowed).
    - ranking: softmax over all available anchors; the target spreads over the available
      positives by the IoU of each one's decoded box (softmax of IoU / 0.1), so the head
      with the most precise box learns to score highest and the argmax over heads picks it;
    - presence: the best available logit of each ref is trained towards present/absent,
      which is what the "not found" decision thresholds;
    - anchors: positives towards 1, every anchor towards 0 at a small weight (calibration);
    - box: smooth L1 on centre offset and log size, plus 1 - IoU, at the positives.
    """
    refs = avail.shape[0]
    logits, positive_mask, positive_iou = [], [], []
    box_loss = raw[SCALES[0]].new_zeros(())
    pos_logit_loss = raw[SCALES[0]].new_zeros(())
    neg_loss = raw[SCALES[0]].new_zeros(())
    count = 0
    for k, scale in enumerate(SCALES):
        head = model.blocks["head." + scale]
        r = raw[scale]
        cells, anchors = r.shape[1], r.shape[2]
        logit = r[..., 0].reshape(refs, cells * anchors)
        # Unavailable scales are pushed far below any score, so they never win.
        mask = avail[:, k:k + 1]
        logits.append(logit * mask + (1 - mask) * -30.0)
        pos = torch.zeros_like(logit, dtype=torch.bool)
        pos_iou = torch.zeros_like(logit)
        idx, cell, anchor, box = targets[scale]
        if len(idx):
            pos[idx, cell * anchors + anchor] = True
            p = r[idx, cell, anchor]
            w = avail[idx, k]
            stride = head.stride
            cell_xy = torch.stack([cell % head.grid, cell // head.grid], 1).float()
            frac = box[:, :2] / stride - cell_xy
            size = torch.log(box[:, 2:] / head.anchors[0, anchor])
            decoded = torch.cat([(torch.sigmoid(p[:, 1:3]) + cell_xy) * stride,
                                 torch.exp(p[:, 3:5].clamp(max=6.0)) * head.anchors[0, anchor]], 1)
            iou = box_iou(decoded, box)
            pos_iou[idx, cell * anchors + anchor] = iou.detach()
            l1 = F.smooth_l1_loss(torch.sigmoid(p[:, 1:3]), frac, reduction="none").sum(1) * 4 \
                + F.smooth_l1_loss(p[:, 3:5], size, reduction="none").sum(1) + (1.0 - iou)
            box_loss = box_loss + (l1 * w).sum()
            pos_logit_loss = pos_logit_loss + (F.binary_cross_entropy_with_logits(
                p[:, 0], torch.ones_like(p[:, 0]), reduction="none") * w).sum()
            count += len(idx)
        neg_loss = neg_loss + (F.binary_cross_entropy_with_logits(
            logit, torch.zeros_like(logit), reduction="none").mean(1) * avail[:, k]).sum()
        positive_mask.append(pos)
        # An unavailable scale's positive gets no share of the target.
        positive_iou.append(pos_iou.masked_fill(mask.detach() < 0.5, -1e4))
    logits = torch.cat(logits, 1)
    positive_mask = torch.cat(positive_mask, 1)
    positive_iou = torch.cat(positive_iou, 1)

    present = torch.tensor([b is not None for b in boxes])
    log_prob = torch.log_softmax(logits, 1)
    has_pos = positive_mask.any(1) & present
    weight = torch.softmax((positive_iou / RANK_IOU_TEMPERATURE).masked_fill(~positive_mask, -1e9), 1)
    rank = -(weight * log_prob.masked_fill(~positive_mask, 0.0)).sum(1)[has_pos]
    rank_loss = rank.sum() / max(1, int(present.sum()))

    # A plan that leaves no scale has no prediction, so the gate's fusion margin covers those refs.
    answerable = avail.max(1).values > 0.5
    best = logits.max(1).values
    presence = (F.binary_cross_entropy_with_logits(best, present.float(), reduction="none")
                * answerable).sum() / answerable.sum().clamp(min=1)
    denominator = max(1, count)
    return {
        "rank": rank_loss,
        "presence": presence,
        "anchor": pos_logit_loss / denominator + neg_loss / refs,
        "box": box_loss / denominator,
    }


class AttributeHeads(torch.nn.Module):
    """Training-only supervision of the per-scene features with every object of the scene.

    At each scale a 1x1 convolution predicts, per cell, whether an object centre falls
    in it, and that object's category and colour. Refs name only ~3 objects per scene,
    so these labels give the backbone far more signal per image; they are not exported.
    """

    def __init__(self, channels, categories, colors):
        super().__init__()
        self.categories = categories
        self.predict = torch.nn.ModuleList(
            torch.nn.Conv2d(c, 1 + categories + colors, 1) for c in channels)

    def forward(self, features, objects, input_size):
        """features: [c3, c4, c5] per scene; objects: [(scene, (cx, cy, w, h), category, colour)]."""
        loss = features[0].new_zeros(())
        for conv, feature in zip(self.predict, features):
            out = conv(feature).float()
            grid = out.shape[-1]
            stride = input_size // grid
            target = torch.zeros_like(out[:, 0])
            if objects:
                scene = torch.tensor([o[0] for o in objects])
                box = torch.tensor([o[1] for o in objects], dtype=torch.float32)
                gx = (box[:, 0] / stride).long().clamp(0, grid - 1)
                gy = (box[:, 1] / stride).long().clamp(0, grid - 1)
                target[scene, gy, gx] = 1.0
                cells = out[scene, :, gy, gx]  # [O, 1 + categories + colours]
                category = torch.tensor([o[2] for o in objects])
                color = torch.tensor([o[3] for o in objects])
                loss = loss + F.cross_entropy(cells[:, 1:1 + self.categories], category) \
                    + F.cross_entropy(cells[:, 1 + self.categories:], color)
            # Mean over object cells plus mean over empty cells: bounded and balanced.
            bce = F.binary_cross_entropy_with_logits(out[:, 0], target, reduction="none")
            positives = target.sum().clamp(min=1.0)
            negatives = (1 - target).sum().clamp(min=1.0)
            loss = loss + (bce * target).sum() / positives + (bce * (1 - target)).sum() / negatives
        return loss
