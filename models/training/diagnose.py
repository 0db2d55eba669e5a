#!/usr/bin/python3
"""Break down the full model's errors on one split: which head finds the referent, and
whether a wrong prediction picked another object or mislocated the right one, overall
and by the referent's shorter side.

    /usr/bin/python3 models/training/diagnose.py --data data/tabletop \
        --checkpoint models/training/runs/STAMP.pt --model models/lgmdp-tabletop

The checkpoint contains the weights before the per-head score offsets, so they are read
from the exported model's metrics.json and applied the same way train.py does.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from costs import block_costs  # noqa: E402
from data import Dataset, box_to_canvas, letterbox_geometry  # noqa: E402
from evaluate import predict, select_refs  # noqa: E402
from losses import box_iou  # noqa: E402
from model import SCALES, GroundingNet  # noqa: E402
from vocab import MAX_TOKENS  # noqa: E402

# A predicted box belongs to the object it overlaps most, if it overlaps it by more than this.
OBJECT_IOU = 0.1


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", required=True, help="dataset directory written by `softskip synth dataset`")
    p.add_argument("--checkpoint", required=True, help="checkpoint written by train.py (runs/STAMP.pt)")
    p.add_argument("--model", required=True, help="model directory exported from that checkpoint (for metrics.json)")
    p.add_argument("--split", default="val", help="dataset split: train, val, test or test-novel")
    p.add_argument("--limit", type=int, default=1500, help="refs evaluated (the same sample as the model card)")
    return p.parse_args(argv)


def load_model(checkpoint_path, metrics_path):
    checkpoint = torch.load(checkpoint_path)
    model = GroundingNet(len(checkpoint["vocab"]), MAX_TOKENS, checkpoint["anchors"])
    model.load_state_dict(checkpoint["model"])
    with open(metrics_path, encoding="utf-8") as f:
        offsets = json.load(f)["head_offsets"]
    with torch.no_grad():
        for scale in SCALES:
            head = model.blocks["head." + scale]
            head.predict.bias.view(head.num_anchors, 5)[:, 0] += offsets[scale]
    return model, checkpoint


# Buckets of the referent's shorter side in model-input pixels: (label, upper bound).
SIDE_BUCKETS = [("< 8", 8), ("8 to 16", 16), ("16 to 32", 32), (">= 32", float("inf"))]


def side_bucket(side):
    return next(label for label, bound in SIDE_BUCKETS if side < bound)


def classify(item, entry, dataset, geometry):
    """Return "correct", "mislocated" (right object, IoU < 0.5), "other object" or "no object"."""
    if entry["iou"] >= 0.5:
        return "correct"
    box = torch.tensor(entry["box"])
    overlaps = [float(box_iou(box, torch.tensor(box_to_canvas(obj[0], geometry, dataset))))
                for obj in dataset.objects[item["image"]]]
    best = max(range(len(overlaps)), key=overlaps.__getitem__)
    if overlaps[best] <= OBJECT_IOU:
        return "no object"
    return "mislocated" if dataset.objects[item["image"]][best][0] == item["box"] else "other object"


def main(argv):
    args = parse_args(argv)
    # Checked first: loading the dataset may spend minutes building its image cache.
    for path, description in ((args.checkpoint, "checkpoint"), (os.path.join(args.model, "metrics.json"), "model metrics")):
        if not os.path.isfile(path):
            print(f"error: {description} {path} not found; train.py writes checkpoints to models/training/runs/ "
                  "and metrics.json into its --out directory", file=sys.stderr)
            return 2
    torch.set_num_threads(2)
    dataset = Dataset(args.data, lambda message: print(message, file=sys.stderr))
    model, checkpoint = load_model(args.checkpoint, os.path.join(args.model, "metrics.json"))
    word_ids = {w: i for i, w in enumerate(checkpoint["vocab"])}
    items = [it for it in select_refs(dataset, args.split, args.limit) if it["box"] is not None]
    preds = predict(model, dataset, word_ids, items, ["full"], 0.5, checkpoint["static_plan"],
                    block_costs(model))["full"]
    scale, _, _, ox, oy = letterbox_geometry(dataset.width, dataset.height)
    geometry = (scale, ox, oy)

    count = len(items)
    outcomes = {}
    by_side = {}
    for item, entry in zip(items, preds):
        kind = classify(item, entry, dataset, geometry)
        outcomes[kind] = outcomes.get(kind, 0) + 1
        side = side_bucket(min(item["box"][2], item["box"][3]) * scale)
        by_side.setdefault(side, {})
        by_side[side][kind] = by_side[side].get(kind, 0) + 1
    heads = [sum(1 for e in preds if e["heads"][k] is not None and e["heads"][k][1] >= 0.5) for k in range(len(SCALES))]
    any_head = sum(1 for e in preds if any(h is not None and h[1] >= 0.5 for h in e["heads"]))

    def share(n):
        return f"{100 * n / count:.1f}%"

    print(f"Full plan on {count} present referents of {args.split}:\n")
    print("| measure | refs | share |\n| --- | ---: | ---: |")
    for k, s in enumerate(SCALES):
        print(f"| head {s} alone right (IoU >= 0.5) | {heads[k]} | {share(heads[k])} |")
    print(f"| at least one head right | {any_head} | {share(any_head)} |")
    for kind in ("correct", "mislocated", "other object", "no object"):
        n = outcomes.get(kind, 0)
        print(f"| best-scored box: {kind} | {n} | {share(n)} |")

    print("\nBy the referent's shorter side at the model input (pixels):\n")
    print("| shorter side | refs | share | correct | mislocated | other object | no object |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, _ in SIDE_BUCKETS:
        row = by_side.get(label)
        if not row:
            continue
        n = sum(row.values())
        cells = " | ".join(f"{100 * row.get(k, 0) / n:.1f}%" for k in ("correct", "mislocated", "other object", "no object"))
        print(f"| {label} | {n} | {share(n)} | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
