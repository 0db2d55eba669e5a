"""Adds the tokenizer fields that export.py writes today to a model exported before them.

    /usr/bin/python3 models/training/backfill_manifest.py --model DIR --data DIR

Writes tokenizer.objectSynonyms and tokenizer.untrainedWords into DIR/manifest.json,
computed from the dataset the model was trained on as export.py computes them, and
rewrites the tokenizer cases of DIR/goldens/goldens.json, in which untrained words now
map to the unknown id. Adds to DIR/metrics.json the ids of the refs its figures cover
(`eval_refs`), as train.py writes them. The ONNX files do not change.
"""
import argparse
import json
import os
import sys

from vocab import UNK_ID, synonym_groups, tokenize, untrained_words


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, value):
    # export.py writes these files with indent=1; keeping it keeps diffs small.
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def train_sentences(refs):
    for ref in refs:
        if ref.get("split") == "train":
            for sentence in ref["sentences"]:
                yield sentence["sent"]
                yield sentence.get("raw", sentence["sent"])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="model directory with manifest.json")
    parser.add_argument("--data", required=True, help="the dataset the model was trained on")
    args = parser.parse_args(argv)

    manifest_path = os.path.join(args.model, "manifest.json")
    manifest = read_json(manifest_path)
    tokenizer = manifest["tokenizer"]
    refs = read_json(os.path.join(args.data, "refs.json"))
    categories = read_json(os.path.join(args.data, "instances.json"))["categories"]

    untrained = untrained_words(tokenizer["vocab"], train_sentences(refs))
    tokenizer["objectNouns"] = [noun for noun in tokenizer.get("objectNouns", [])
                                if not set(noun.split()) & set(untrained)]
    tokenizer["objectSynonyms"] = synonym_groups(categories, tokenizer["objectNouns"])
    tokenizer["untrainedWords"] = untrained
    write_json(manifest_path, manifest)

    goldens_path = os.path.join(args.model, "goldens", "goldens.json")
    if os.path.exists(goldens_path):
        goldens = read_json(goldens_path)
        skip = set(untrained)
        for case in goldens.get("tokenizer", []):
            words = tokenize(case["text"])
            case["ids"] = [UNK_ID if i < len(words) and words[i] in skip else token
                           for i, token in enumerate(case["ids"])]
        write_json(goldens_path, goldens)
    metrics_path = os.path.join(args.model, "metrics.json")
    if os.path.exists(metrics_path):
        # Imported here: it loads torch, which the tokenizer fields above do not need.
        from data import Dataset
        from evaluate import evaluated_ref_ids

        metrics = read_json(metrics_path)
        metrics["eval_refs"] = evaluated_ref_ids(Dataset(args.data, lambda message: None), metrics["eval_limit"])
        write_json(metrics_path, metrics)
    print(f"{manifest_path}: {len(untrained)} of {len(tokenizer['vocab'])} vocabulary words untrained, "
          f"{len(tokenizer['objectSynonyms'])} synonym groups")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
