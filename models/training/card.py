"""Model card tables generated from metrics.json.

train.py rewrites only the tables between the BEGIN and END markers on every run, so the
hand-written text around them (intended use, data, targets, limitations) stays.
"""
import os

from model import POLICIES

# Extra row of each split: lgmdp at the gate threshold that matches softskip's mean compute.
MATCHED_LGMDP = "lgmdp_matched"

BEGIN = "<!-- BEGIN GENERATED FIGURES (models/training/card.py) -->"
END = "<!-- END GENERATED FIGURES -->"

DEFAULT_TEXT = """# Model card: {name}

{begin}
{end}
"""


def _pct(value):
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _policy_table(splits, thresholds):
    rows = ["| split | refs | policy | accuracy (IoU >= 0.5) | decision accuracy | compute ratio "
            "| not-found precision | not-found recall |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    matched = thresholds.get("lgmdp_matched_gate")
    labels = {MATCHED_LGMDP: f"lgmdp, gate {matched} (softskip's compute)"}
    for split, by_policy in splits.items():
        for policy in POLICIES + tuple(p for p in (MATCHED_LGMDP,) if p in by_policy):
            s = by_policy[policy]
            rows.append(f"| {split} | {s['count']} | {labels.get(policy, policy)} | {_pct(s['accuracy'])} | "
                        f"{_pct(s['decision_accuracy'])} | {_pct(s['compute_ratio'])} | "
                        f"{_pct(s['not_found_precision'])} | {_pct(s['not_found_recall'])} |")
    return "\n".join(rows)


def _breakdown_table(by_policy, key):
    names = sorted({k for p in POLICIES for k in by_policy[p][key]})
    rows = [f"| {key[3:]} | refs | " + " | ".join(POLICIES) + " |",
            "| --- | ---: |" + " ---: |" * len(POLICIES)]
    for name in names:
        count = by_policy["full"][key].get(name, {}).get("count", 0)
        cells = [_pct(by_policy[p][key].get(name, {}).get("accuracy")) for p in POLICIES]
        rows.append(f"| {name} | {count} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _block_table(metrics):
    rows = ["| block | MFLOPs | params |", "| --- | ---: | ---: |"]
    exported = metrics["thresholds"].get("approximators")
    for name, cost in metrics["blocks"].items():
        dropped = exported is not None and name.startswith("approx.") and name not in exported
        rows.append(f"| {name}{' (not exported)' if dropped else ''} | {cost['flops'] / 1e6:.2f} | {cost['params']} |")
    text = metrics["text"]
    rows.append(f"| text encoder + gate (once per command) | {text['flops'] / 1e6:.2f} | {text['params']} |")
    return "\n".join(rows)


def _rebuilds_line(metrics):
    exported = metrics["thresholds"].get("approximators")
    every = [name for name in metrics["blocks"] if name.startswith("approx.")]
    if exported is None or exported == every:
        return "Softskip uses every approximator."
    dropped = [name for name in every if name not in exported]
    return (f"Softskip uses {', '.join(exported) or 'no approximator'}. Not exported, because on val "
            f"they added no more accuracy per point of compute than opening more blocks does: "
            f"{', '.join(dropped)}.")


def generated_section(metrics, args):
    info = metrics["training"]
    test = metrics["splits"].get("test")
    parts = [
        BEGIN,
        "",
        f"Figures of the last run: dataset `{info['dataset']}`, "
        f"{'quick toy run, ' if info['quick'] else ''}training budget {info['minutes']} min, "
        f"steps {info['steps']}, wall clock {info['wallClockMinutes']} min"
        f"{' (export from checkpoint ' + info['fromCheckpoint'] + ', training not rerun)' if info.get('fromCheckpoint') else ''}. At most "
        f"{metrics['eval_limit']} refs per split are evaluated (a fixed random sample).",
        "",
        f"Thresholds chosen on val: gate {metrics['thresholds']['gate']}, "
        f"score {metrics['thresholds']['score']}. Static plan: "
        f"{', '.join(metrics['static_blocks'])}. Full model: "
        f"{metrics['full_flops'] / 1e9:.3f} GFLOPs at 256x256.",
        "",
        _rebuilds_line(metrics),
        "",
        "### Accuracy and compute per policy",
        "",
        _policy_table(metrics["splits"], metrics["thresholds"]),
        "",
    ]
    if test:
        parts += ["### Test accuracy per expression kind", "", _breakdown_table(test, "by_kind"), "",
                  "### Test accuracy per referent size",
                  "",
                  f"Buckets are tertiles of referent area / image area over train refs: "
                  f"small < {metrics['size_bounds'][0]:.4f} <= medium < "
                  f"{metrics['size_bounds'][1]:.4f} <= large.",
                  "", _breakdown_table(test, "by_size"), ""]
    parts += ["### Cost per block", "", _block_table(metrics), "", END]
    return "\n".join(parts)


def write_card(path, metrics, args):
    """Replace the generated section of the card at path, keeping the hand-written text."""
    name = os.path.basename(os.path.normpath(args.out))
    text = DEFAULT_TEXT.format(name=name, begin=BEGIN, end=END)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + "\n\n" + BEGIN + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + generated_section(metrics, args) + tail)
