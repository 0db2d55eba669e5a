"""Export the trained network as a block graph: manifest.json, text.onnx, one ONNX file
per block, and goldens for the parity tests."""
import json
import os
import shutil

import numpy as np
import torch
from PIL import Image

from costs import full_flops, text_cost
from data import INPUT_SIZE, MEAN, PAD_VALUE, STD, canvas_to_box, letterbox_geometry, normalise
from evaluate import POLICY_MODES, policy_plan
from model import GATE, GATEABLE, SCALES, block_graph, softskip_schedule
from vocab import MAX_TOKENS, PAD_ID, UNK_ID, encode, runtime_word_ids, tokenize

OPSET = 13
FORMAT_VERSION = 1


def _export(module, args, path, input_names, output_names):
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      opset_version=OPSET, do_constant_folding=True)


def executed_blocks(plan, soft, approximators):
    """List the blocks the runtime executes for one plan ([G] 0/1 list), in manifest order."""
    on = {name: bool(plan[i]) for name, i in GATE.items()}
    ran = {s: torch.tensor([float(on["fuse." + s])]) for s in SCALES}
    runs, have = softskip_schedule(ran, approximators)
    need_c4 = on["fuse.s16"] or on["fuse.s32"]
    blocks = ["stem", "stage2.down", "stage3.down"]
    if on["stage3.res1"]:
        blocks.append("stage3.res1")
    if need_c4:
        blocks.append("stage4.down")
        blocks += [b for b in ("stage4.res1", "stage4.res2") if on[b]]
    if on["fuse.s32"]:
        blocks.append("stage5.down")
        blocks += [b for b in ("stage5.res1", "stage5.res2") if on[b]]
    blocks += ["fuse." + s for s in SCALES if on["fuse." + s]]
    if soft:
        blocks += [name for name, _, _ in approximators if runs[name].item() > 0.5]
    available = {s: (have[s].item() > 0.5) if soft else on["fuse." + s] for s in SCALES}
    blocks += ["head." + s for s in SCALES if available[s]]
    return blocks


class _Goldens:
    """Writes raw little-endian tensors once per (producer, tensor) and indexes them."""

    def __init__(self, directory):
        self.directory = directory
        self.files = {}

    def tensor(self, key, array):
        if key not in self.files:
            array = np.ascontiguousarray(array)
            dtype = {np.dtype("float32"): "float32", np.dtype("int64"): "int64"}[array.dtype]
            name = key.replace("/", "_") + ".bin"
            array.astype(array.dtype.newbyteorder("<")).tofile(os.path.join(self.directory, name))
            self.files[key] = {"file": name, "shape": list(array.shape), "dtype": dtype}
        return self.files[key]


def _load_canvas(path):
    """Letterbox one image file exactly as the runtime does (centred, pad 114)."""
    with Image.open(path) as im:
        im = im.convert("RGB")
        width, height = im.size
        scale, new_w, new_h, ox, oy = letterbox_geometry(width, height)
        if (new_w, new_h) != (width, height):
            im = im.resize((new_w, new_h), Image.BILINEAR)
        canvas = np.full((1, INPUT_SIZE, INPUT_SIZE, 3), PAD_VALUE, np.uint8)
        canvas[0, oy:oy + new_h, ox:ox + new_w] = np.asarray(im)
    return normalise(torch.from_numpy(canvas)), (scale, ox, oy)


@torch.no_grad()
def _run_blocks(model, image, sentence):
    """Run the full policy block by block, returning {(producer, tensor): value} and per-block I/O."""
    b = model.blocks
    values = {("input", "image"): image, ("text", "sentence"): sentence}
    io = []
    latest = {"image": ("input", "image"), "sentence": ("text", "sentence")}
    for entry in block_graph(_anchors(model), model.rebuilds):
        name = entry["name"]
        # Approximators read the real fused features, not another approximator's output.
        inputs = [latest[t] if entry["kind"] != "approximator" else ("fuse.s" + t[1:], t)
                  for t in entry["inputs"]]
        args = [values[k] for k in inputs]
        out = b[name](*args)
        key = (name, entry["outputs"][0])
        values[key] = out
        if entry["kind"] != "approximator":
            latest[entry["outputs"][0]] = key
        io.append((name, list(zip(entry["inputs"], inputs)), [(entry["outputs"][0], key)]))
    return values, io


def _anchors(model):
    return {s: model.blocks["head." + s].anchors[0].tolist() for s in SCALES}


@torch.no_grad()
def predict_file(model, word_ids, image_path, expression, policy, gate_threshold, static_plan):
    """Predict the box and score for one image file as the runtime does."""
    image, geometry = _load_canvas(image_path)
    tokens = torch.tensor([encode(tokenize(expression), word_ids)])
    sentence, gates = model.text(tokens)
    c3_0, res3 = model.shared_backbone(image)
    plan = policy_plan(policy, gates, gate_threshold, static_plan)
    soft = torch.tensor([POLICY_MODES[policy]])
    raw, avail, _, _ = model.forward_refs((c3_0, res3), sentence, plan, soft)
    if policy == "full":
        avail = torch.ones_like(avail)
    best_logit, best_box = None, None
    for k, s in enumerate(SCALES):
        if avail[0, k] < 0.5:
            continue
        d = model.blocks["head." + s].decode(raw[s])[0]
        i = int(d[:, 0].argmax())
        if best_logit is None or d[i, 0] > best_logit:
            best_logit, best_box = d[i, 0], d[i, 1:].tolist()
    blocks = executed_blocks(plan[0].tolist(), bool(soft[0]), model.rebuilds)
    if best_logit is None:
        return {"box": None, "score": 0.0, "executedBlocks": blocks}
    x, y, w, h = canvas_to_box(best_box, geometry)
    return {"box": {"x": x, "y": y, "width": w, "height": h},
            "score": float(torch.sigmoid(best_logit)), "executedBlocks": blocks}


def export_model(model, vocab, object_nouns, out_dir, costs, thresholds, static_plan, e2e_cases, metrics, info,
                 object_synonyms=(), untrained=()):
    """Write the model directory. e2e_cases: [(image_path, expression)] for goldens."""
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".onnx"):
            os.remove(os.path.join(out_dir, old))
    golden_dir = os.path.join(out_dir, "goldens")
    shutil.rmtree(golden_dir, ignore_errors=True)
    os.makedirs(golden_dir)
    # Goldens use the runtime's mapping, in which untrained words are unknown.
    word_ids = runtime_word_ids(vocab, untrained)
    goldens = _Goldens(golden_dir)

    _export(model.text, (torch.zeros(1, MAX_TOKENS, dtype=torch.long),),
            os.path.join(out_dir, "text.onnx"), ["tokens"], ["sentence", "gates"])

    image_path, expression = e2e_cases[0]
    image, _ = _load_canvas(image_path)
    tokens = torch.tensor([encode(tokenize(expression), word_ids)])
    with torch.no_grad():
        sentence, gates = model.text(tokens)
    text_golden = {"block": "text", "file": "text.onnx",
                   "inputs": {"tokens": goldens.tensor("text/tokens", tokens.numpy())},
                   "outputs": {"sentence": goldens.tensor("text/sentence", sentence.numpy()),
                               "gates": goldens.tensor("text/gates", gates.numpy())}}
    values, io = _run_blocks(model, image, sentence)
    block_goldens = [text_golden]
    entries = block_graph(_anchors(model), model.rebuilds)
    for entry, (name, inputs, outputs) in zip(entries, io):
        block = model.blocks[name]
        args = tuple(values[key] for _, key in inputs)
        _export(block, args, os.path.join(out_dir, entry["file"]), entry["inputs"], entry["outputs"])
        entry["flops"] = costs[name]["flops"]
        entry["params"] = costs[name]["params"]
        block_goldens.append({
            "block": name, "file": entry["file"],
            "inputs": {t: goldens.tensor("/".join(k), values[k].numpy()) for t, k in inputs},
            "outputs": {t: goldens.tensor("/".join(k), values[k].numpy()) for t, k in outputs},
        })

    e2e = []
    for i, (path, text) in enumerate(e2e_cases):
        name = f"e2e-{i}{os.path.splitext(path)[1]}"
        shutil.copyfile(path, os.path.join(golden_dir, name))
        for policy in ("full", "lgmdp", "softskip", "static"):
            result = predict_file(model, word_ids, path, text, policy, thresholds["gate"], static_plan)
            e2e.append({"image": name, "expression": text, "policy": policy, **result})

    samples = ["Grab the small BLUE mug, left of the bowl!", "the red cup", "",
               "uh, the robot's flurbish thing", "pick up the second green bottle from the left "
               "next to the big white plate near the back of the table please thanks a lot",
               "  Tabs\tand\nnewlines  ", "café au lait", "the 2nd can's lid"]
    tokenizer_cases = [{"text": s, "ids": encode(tokenize(s), word_ids)} for s in samples]
    static_blocks = [n for n, i in GATE.items() if static_plan[0, i] > 0.5]
    with open(os.path.join(golden_dir, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump({
            "description": "Tensors are raw little-endian files in this folder; images are "
                           "relative to this folder. Blocks were run in PyTorch on the first "
                           "end-to-end image under the full policy; approximators read the "
                           "real fused features of that pass.",
            "tolerance": {"blocks": {"abs": 1e-4, "rel": 1e-3},
                          "e2e": {"boxPixels": 2.0, "score": 0.02}},
            "blocks": block_goldens, "tokenizer": tokenizer_cases, "e2e": e2e,
        }, f, indent=1)

    manifest = {
        "format": "softskip-block-graph",
        "version": FORMAT_VERSION,
        # The directory's name, so export to a folder named for the model (models/lgmdp-tabletop).
        "name": os.path.basename(os.path.normpath(out_dir)),
        "input": {"width": INPUT_SIZE, "height": INPUT_SIZE,
                  "letterbox": {"align": "center", "padValue": PAD_VALUE},
                  "mean": list(MEAN), "std": list(STD)},
        "tokenizer": {"maxTokens": MAX_TOKENS, "padId": PAD_ID, "unkId": UNK_ID, "vocab": vocab,
                      # The runtime reads "the blue one" after "the red mug" as "the blue mug".
                      "objectNouns": list(object_nouns),
                      "objectSynonyms": [list(group) for group in object_synonyms],
                      # Words no training sentence had: their embeddings are random, so the
                      # runtime reads them as unknown.
                      "untrainedWords": list(untrained)},
        "text": {"file": "text.onnx", "inputs": {"tokens": "tokens"},
                 "outputs": {"sentence": "sentence", "gates": "gates"}, **text_cost(model)},
        "gates": list(GATEABLE),
        "blocks": entries,
        "outputs": ["pred." + s for s in SCALES],
        "anchors": _anchors(model),
        "thresholds": thresholds,
        "static": {"blocks": static_blocks},
        "fullFlops": full_flops(costs),
        "goldens": "goldens/goldens.json",
        "metrics": "metrics.json",
        "training": info,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    with open(os.path.join(out_dir, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=1)
    return manifest
