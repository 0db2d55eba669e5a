#!/usr/bin/python3
"""Train, evaluate and export the LGMDP grounding model.

    /usr/bin/python3 models/training/train.py --data DIR --out DIR [--card FILE] [--quick]

Phase 1 trains every block under random plans, so that any subset of blocks still
works. Then the static plan is chosen on val. Phase 2 trains the gate jointly with the
network (straight-through gates, FLOPs charged per executed block) while the static plan
and the full network keep training. Evaluation, export and the model card follow.
"""
import argparse
import itertools
import json
import os
import random
import sys
import time

# Idle OpenMP threads sleep instead of spinning. On a shared 2-core machine at load 15,
# a 2-thread training step took 15-27 s with spinning workers and 1-2 s with passive
# ones (measured 2026-12-04). It must be set before torch loads OpenMP.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from card import MATCHED_LGMDP, write_card  # noqa: E402
from costs import block_costs, full_flops, plan_ratio, text_cost  # noqa: E402
from data import Dataset, DatasetError, TrainSampler, letterbox_geometry, SPLITS  # noqa: E402
from evaluate import best_score_threshold, calibrate_heads, evaluated_ref_ids, predict, select_refs, size_bounds, summarise, threshold_plan  # noqa: E402
from export import export_model  # noqa: E402
from losses import kmeans_anchors  # noqa: E402
from model import GATE, GATEABLE, POLICIES, SCALES, GroundingNet  # noqa: E402
from phases import Trainer  # noqa: E402
from vocab import MAX_TOKENS, build_vocab, encode, runtime_word_ids, tokenize, untrained_words  # noqa: E402

GATE_THRESHOLDS = (0.3, 0.5, 0.7)
# Gate thresholds searched for the lgmdp run that matches softskip's mean compute.
MATCHING_THRESHOLDS = tuple(round(0.02 * i, 2) for i in range(1, 50))
# Target mean compute ratio of softskip; the phase 2 cost loss is a hinge at this value.
COST_TARGET = 0.5
MAX_SOFTSKIP_RATIO = 0.55


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="dataset directory written by `softskip synth dataset`")
    p.add_argument("--out", required=True, help="model directory to write (manifest and ONNX files)")
    p.add_argument("--quick", action="store_true", help="toy training in under 2 minutes (smoke test)")
    p.add_argument("--minutes", type=float, default=None,
                   help="wall-clock budget of the two training phases in minutes (default 80, quick 0.6); "
                        "with --from-checkpoint it only labels a checkpoint that does not record it")
    p.add_argument("--eval-limit", type=int, default=None,
                   help="refs evaluated per split (default 1500, quick 80)")
    p.add_argument("--card", default=None,
                   help="model card to write or update (default OUT/model-card.md; the shipped "
                        "model's card is docs/model-card.md)")
    p.add_argument("--runs", default=os.path.join(HERE, "runs"), help="checkpoint and log folder")
    p.add_argument("--from-checkpoint", default=None, help="skip training and export this checkpoint")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                   help="training arithmetic: bf16 autocast (float32 weights) or fp32; auto "
                        "picks bf16 where the CPU has native bfloat16 (avx512_bf16 or amx_bf16). "
                        "With --from-checkpoint it only labels a checkpoint that does not record it")
    args = p.parse_args(argv)
    if args.minutes is None:
        args.minutes = 0.6 if args.quick else 80.0
    if args.eval_limit is None:
        args.eval_limit = 80 if args.quick else 1500
    if args.card is None:
        args.card = os.path.join(args.out, "model-card.md")
    if args.precision == "auto" and not args.from_checkpoint:
        args.precision = "bf16" if cpu_has_bf16() else "fp32"
    if args.minutes <= 0:
        p.error(f"--minutes must be positive, got {args.minutes}")
    return args


def cpu_has_bf16():
    """Return whether the CPU computes bfloat16 natively; emulated bfloat16 is slower than float32."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = set(f.read().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def make_logger(path):
    start = time.monotonic()
    handle = open(path, "a", encoding="utf-8")

    def log(message):
        line = f"[{(time.monotonic() - start) / 60:6.2f} min] {message}"
        print(line, file=sys.stderr, flush=True)
        handle.write(line + "\n")
        handle.flush()
    return log


def train_anchors(dataset):
    scale = letterbox_geometry(dataset.width, dataset.height)[0]
    sizes = [(it["box"][2] * scale, it["box"][3] * scale)
             for it in dataset.refs["train"] if it["box"] is not None]
    return kmeans_anchors(sizes)


def choose_static_plan(model, dataset, word_ids, costs, target, limit, max_candidates, log):
    """Return the fixed plan with hard-skip ratio <= target that is most accurate on val."""
    candidates, seen = [], set()
    for bits in itertools.product((0.0, 1.0), repeat=len(GATEABLE)):
        plan = canonical_plan(torch.tensor([bits]))
        key = tuple(plan[0].tolist())
        if plan[0, [GATE["fuse.s8"], GATE["fuse.s16"], GATE["fuse.s32"]]].sum() == 0 or key in seen:
            continue
        seen.add(key)
        ratio = float(plan_ratio(plan, torch.zeros(1), costs))
        if target - 0.1 <= ratio <= target:
            candidates.append((ratio, plan))
    candidates.sort(key=lambda c: -c[0])
    candidates = candidates[:max_candidates]
    items = select_refs(dataset, "val", limit, seed=7)
    best = None
    for ratio, plan in candidates:
        preds = predict(model, dataset, word_ids, items, ["static"], 0.5, plan, costs)["static"]
        acc = summarise(items, preds, 0.5, dataset, (0.01, 0.04))["accuracy"] or 0.0
        log(f"static candidate {plan_names(plan)} ratio {ratio:.3f} val accuracy {acc:.3f}")
        if best is None or acc > best[0]:
            best = (acc, plan)
    model.train()
    return best[1]


def canonical_plan(plan):
    """Clear residual gates of stages that no running fusion needs (they never execute)."""
    plan = plan.clone()
    if plan[0, GATE["fuse.s32"]] == 0:
        plan[0, [GATE["stage5.res1"], GATE["stage5.res2"]]] = 0.0
        if plan[0, GATE["fuse.s16"]] == 0:
            plan[0, [GATE["stage4.res1"], GATE["stage4.res2"]]] = 0.0
    return plan


def plan_names(plan):
    return [name for name, i in GATE.items() if plan[0, i] > 0.5]


def calibrate(model, dataset, word_ids, costs, static_plan, limit, log):
    """Add per-head score-logit offsets, chosen on val, to the heads' score biases."""
    val = select_refs(dataset, "val", limit)
    preds = predict(model, dataset, word_ids, val, list(POLICIES), 0.5, static_plan, costs)
    offsets = calibrate_heads(val, preds, list(POLICIES))
    with torch.no_grad():
        for scale, offset in zip(SCALES, offsets):
            head = model.blocks["head." + scale]
            head.predict.bias.view(head.num_anchors, 5)[:, 0] += offset
    log(f"head score offsets chosen on val: {dict(zip(SCALES, offsets))}")
    return dict(zip(SCALES, offsets))


@torch.no_grad()
def matched_lgmdp_threshold(model, word_ids, items, target_ratio, costs):
    """Gate threshold at which lgmdp's mean compute ratio over items is closest to target_ratio.

    Hard skip drops what softskip rebuilds, so at the same threshold lgmdp runs less. This
    threshold compares the two at equal compute. Ratios depend on the gates alone, so no
    image runs.
    """
    model.eval()
    tokens = torch.tensor([encode(tokenize(it["sentences"][0]), word_ids) for it in items])
    _, gates = model.text(tokens)
    hard = torch.zeros(len(items))
    ratios = {t: float(plan_ratio(threshold_plan(gates, t), hard, costs).mean()) for t in MATCHING_THRESHOLDS}
    return min(MATCHING_THRESHOLDS, key=lambda t: abs(ratios[t] - target_ratio))


def softskip_val(model, dataset, word_ids, items, gate_t, static_plan, costs):
    """Return softskip's val predictions, accuracy and mean compute ratio with the model's rebuilds."""
    preds = predict(model, dataset, word_ids, items, ["softskip"], gate_t, static_plan, costs)["softskip"]
    accuracy = summarise(items, preds, 0.5, dataset, (0.01, 0.04))["accuracy"] or 0.0
    return {"preds": preds, "accuracy": accuracy, "ratio": sum(p["ratio"] for p in preds) / max(1, len(items))}


def choose_rebuilds(model, dataset, word_ids, items, gate_t, static_plan, costs, exchange, run, log):
    """Drop, one at a time in block order, each approximator whose val accuracy per point of
    compute is at most `exchange`: the accuracy per point of compute that the gate itself buys
    by opening more blocks. Approximators that never run on these refs cost nothing and stay.
    Sets model.rebuilds and returns softskip's val run with it."""
    remaining = list(model.rebuilds)
    for approximator in list(remaining):
        model.rebuilds = tuple(a for a in remaining if a != approximator)
        trial = softskip_val(model, dataset, word_ids, items, gate_t, static_plan, costs)
        saved = run["ratio"] - trial["ratio"]
        if saved <= 1e-9:
            continue
        gain = run["accuracy"] - trial["accuracy"]
        drop = gain <= exchange * saved
        log(f"gate {gate_t}: {approximator[0]} adds {100 * gain:.2f} points of val accuracy for "
            f"{100 * saved:.2f} points of compute; {'drop' if drop else 'keep'} it")
        if drop:
            remaining.remove(approximator)
            run = trial
    model.rebuilds = tuple(remaining)
    return run


def evaluate_all(model, dataset, word_ids, costs, static_plan, limit, log):
    """Choose thresholds and softskip's approximators on val, then summarise every policy on every split."""
    val = select_refs(dataset, "val", limit)
    everything = model.rebuilds
    by_threshold = {t: softskip_val(model, dataset, word_ids, val, t, static_plan, costs) for t in GATE_THRESHOLDS}
    low, high = min(GATE_THRESHOLDS), max(GATE_THRESHOLDS)
    # Accuracy per unit of compute ratio that a lower gate threshold buys, with every approximator.
    spread = by_threshold[low]["ratio"] - by_threshold[high]["ratio"]
    exchange = max(0.0, (by_threshold[low]["accuracy"] - by_threshold[high]["accuracy"]) / spread) if spread > 0 else 0.0
    log(f"val: softskip gains {exchange:.3f} accuracy per unit of compute ratio from gate {high} to {low}")
    rebuilds = {}
    for t in GATE_THRESHOLDS:
        model.rebuilds = everything
        by_threshold[t] = choose_rebuilds(model, dataset, word_ids, val, t, static_plan, costs,
                                          exchange, by_threshold[t], log)
        rebuilds[t] = model.rebuilds
        log(f"val gate threshold {t}: softskip accuracy {by_threshold[t]['accuracy']} compute ratio "
            f"{by_threshold[t]['ratio']:.3f} with {[a[0] for a in rebuilds[t]]}")
    within = [t for t in GATE_THRESHOLDS if by_threshold[t]["ratio"] <= MAX_SOFTSKIP_RATIO]
    if within:
        gate_t = max(within, key=lambda t: by_threshold[t]["accuracy"])
    else:
        gate_t = min(GATE_THRESHOLDS, key=lambda t: by_threshold[t]["ratio"])
    model.rebuilds = rebuilds[gate_t]
    val_preds = predict(model, dataset, word_ids, val, ["full", "lgmdp", "static"], gate_t, static_plan, costs)
    val_preds["softskip"] = by_threshold[gate_t]["preds"]
    score_t = best_score_threshold(val, val_preds, ["full", "softskip"])
    matched_t = matched_lgmdp_threshold(model, word_ids, val, by_threshold[gate_t]["ratio"], costs)
    log(f"chosen thresholds: gate {gate_t}, score {score_t}, lgmdp at softskip's compute {matched_t}")

    bounds = size_bounds(dataset)
    splits = {}
    for split in SPLITS[1:]:
        items = val if split == "val" else select_refs(dataset, split, limit)
        if not items:
            continue
        preds = val_preds if split == "val" else \
            predict(model, dataset, word_ids, items, list(POLICIES), gate_t, static_plan, costs)
        splits[split] = {p: summarise(items, preds[p], score_t, dataset, bounds) for p in POLICIES}
        matched = predict(model, dataset, word_ids, items, ["lgmdp"], matched_t, static_plan, costs)["lgmdp"]
        splits[split][MATCHED_LGMDP] = summarise(items, matched, score_t, dataset, bounds)
        for p in POLICIES + (MATCHED_LGMDP,):
            s = splits[split][p]
            log(f"{split:10s} {p:8s} accuracy {s['accuracy']} ratio {s['compute_ratio']} "
                f"not-found P {s['not_found_precision']} R {s['not_found_recall']}")
    return {"gate": gate_t, "score": score_t, "lgmdp_matched_gate": matched_t,
            "approximators": [a[0] for a in model.rebuilds]}, splits, bounds


def e2e_cases(dataset, count=3):
    """Pick a few val refs (and one absent one when the split has it) for end-to-end goldens."""
    items = select_refs(dataset, "val", 0) or select_refs(dataset, "train", 0)
    present = [it for it in items if it["box"] is not None]
    absent = [it for it in items if it["box"] is None]
    chosen = random.Random(3).sample(present, min(count, len(present))) + absent[:1]
    root = os.path.join(dataset.root, "images")
    return [(os.path.join(root, dataset.images[it["image"]]["file_name"]), it["sentences"][0])
            for it in chosen]


def main(argv):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.runs, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log = make_logger(os.path.join(args.runs, f"{stamp}{'-quick' if args.quick else ''}.log"))
    started = time.time()
    log(f"train.py {' '.join(argv)} (precision {args.precision})")

    try:
        dataset = Dataset(args.data, log)
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    log("refs per split: " + ", ".join(f"{s} {len(v)}" for s, v in dataset.refs.items()))

    if args.from_checkpoint:
        checkpoint = torch.load(args.from_checkpoint)
        vocab, anchors = checkpoint["vocab"], checkpoint["anchors"]
    else:
        vocab, anchors = build_vocab(dataset.words()), train_anchors(dataset)
    word_ids = {w: i for i, w in enumerate(vocab)}
    model = GroundingNet(len(vocab), MAX_TOKENS, anchors)
    costs = block_costs(model)
    log(f"vocab {len(vocab)} words, anchors {anchors}, full model "
        f"{full_flops(costs) / 1e9:.3f} GFLOPs, {sum(p.numel() for p in model.parameters())} params")

    if args.from_checkpoint:
        model.load_state_dict(checkpoint["model"])
        static_plan = checkpoint["static_plan"]
        steps = checkpoint["steps"]
        # None when neither the checkpoint nor the command line records how it was trained.
        args.precision = checkpoint.get("precision") or (None if args.precision == "auto" else args.precision)
        args.minutes = checkpoint.get("minutes", args.minutes)
        log(f"checkpoint {args.from_checkpoint}: {sum(steps.values())} steps, precision {args.precision}")
    else:
        # Channels-last weights let oneDNN pick its faster convolution kernels: 148 vs 125
        # steps in a 45 s test on this 2-core machine, though over a whole 84-minute run the
        # rate (160-200 steps a minute) was close to the default layout's. The inputs already
        # come in that layout.
        model = model.to(memory_format=torch.channels_last)
        # Phase 1 runs the backbone once per scene, so a fourth ref per scene is cheap
        # grounding supervision: 7,688 phase-1 steps in 50.4 minutes against 9,321 with 3
        # refs on the same 2-core machine. Phase 2 runs a backbone per gated ref, so it keeps 3.
        # Phase-1 batches contain 16 scenes because per-step overheads are then shared: 44
        # scenes/s against 33 with 8 on a 2-core AMD EPYC (40 s each, bf16). The learning
        # rate grows by the square root of the batch ratio.
        sampler = TrainSampler(dataset, word_ids, images=16, refs_per_image=4, seed=args.seed)
        trainer = Trainer(model, sampler, costs, log, args.seed, bf16=args.precision == "bf16")
        seconds = args.minutes * 60
        steps = {"phase1": trainer.run_phase(1, 0.6 * seconds, lr=2.8e-3)}
        static_plan = choose_static_plan(model, dataset, word_ids, costs, COST_TARGET,
                                         60 if args.quick else 300, 3 if args.quick else 8, log)
        log(f"static plan: {plan_names(static_plan)}")
        sampler.images, sampler.refs_per_image = 8, 3
        steps["phase2"] = trainer.run_phase(2, 0.4 * seconds, lr=6e-4, static_plan=static_plan,
                                            cost_target=COST_TARGET)
        path = os.path.join(args.runs, f"{stamp}{'-quick' if args.quick else ''}.pt")
        torch.save({"model": model.state_dict(), "vocab": vocab, "anchors": anchors,
                    "static_plan": static_plan, "steps": steps, "precision": args.precision,
                    "minutes": args.minutes}, path)
        log(f"checkpoint {path}")
        model = model.to(memory_format=torch.contiguous_format)

    # From here on, words map as the runtime maps them, so the figures are the runtime's.
    untrained = untrained_words(vocab, dataset.words(("train",)))
    word_ids = runtime_word_ids(vocab, untrained)
    log(f"{len(untrained)} of {len(vocab)} vocabulary words appear in no training sentence")
    offsets = calibrate(model, dataset, word_ids, costs, static_plan, args.eval_limit, log)
    thresholds, splits, bounds = evaluate_all(model, dataset, word_ids, costs, static_plan,
                                              args.eval_limit, log)
    info = {"dataset": os.path.basename(os.path.normpath(args.data)), "quick": args.quick,
            "minutes": args.minutes, "steps": steps, "seed": args.seed, "precision": args.precision,
            "wallClockMinutes": round((time.time() - started) / 60, 1),
            "fromCheckpoint": os.path.basename(args.from_checkpoint) if args.from_checkpoint else None}
    metrics = {"thresholds": thresholds, "head_offsets": offsets, "static_blocks": plan_names(static_plan),
               "size_bounds": bounds, "eval_limit": args.eval_limit, "splits": splits,
               "eval_refs": evaluated_ref_ids(dataset, args.eval_limit),
               "full_flops": full_flops(costs), "text": text_cost(model), "blocks": costs,
               "training": info}
    # The manifest carries what the runtime uses; the matched lgmdp threshold is an evaluation figure.
    runtime_thresholds = {key: thresholds[key] for key in ("gate", "score")}
    # Nouns the tokenizer would turn into unknown words could never match a command.
    object_nouns = [noun for noun in dataset.object_nouns if all(w in word_ids for w in noun.split())]
    object_synonyms = [[noun for noun in group if noun in object_nouns] for group in dataset.object_synonyms]
    export_model(model, vocab, object_nouns, args.out, costs, runtime_thresholds,
                 static_plan, e2e_cases(dataset), metrics, info,
                 object_synonyms=[group for group in object_synonyms if len(group) > 1], untrained=untrained)
    info["wallClockMinutes"] = round((time.time() - started) / 60, 1)
    with open(os.path.join(args.out, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=1)
    write_card(args.card, metrics, args)
    log(f"exported {args.out}, card {args.card}; total {info['wallClockMinutes']} min")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
