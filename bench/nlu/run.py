"""Train jieru's NLU and Rasa's stock pipeline on bot/data/nlu, score both on each
held-out split as written and in an OpenCC s2twp (traditional) conversion: the real
buyers' development set (../shared/eval/real-buyers-dev.yml, where an ``alt`` label
counts as correct) and the project's own splits (bench/nlu/eval.yml, bench/nlu/wild.yml).

Usage: .venv/rasa/bin/python bench/nlu/run.py [--skip-stock] [--curve] [--model FILE]
           [--stock-model FILE] [--train-stock FILE]
Stock takes about two hours to train on two cores: --train-stock trains it alone (into
FILE, with its wall time in FILE.seconds), and --stock-model scores that model beside
ours in a later run, which is side by side as long as bot/data/nlu has not changed.
Writes bench/results/nlu-<time>.{md,json} and prints a summary table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from bench_domain import write_domain  # noqa: E402
from realset import REAL_DEV, credited, load_real_dev  # noqa: E402

RASA = ROOT / ".venv/rasa/bin/rasa"
PYTHON = ROOT / ".venv/rasa/bin/python"
# Held-out splits, each written apart from bot/data/nlu and never trained on.
SPLITS = {name: Path(__file__).with_name(f"{name}.yml") for name in ("eval", "wild")}
SPLIT_NAMES = ("dev", *SPLITS)
# eval.yml is written in simplified Chinese; wild.yml mixes scripts as buyers do.
SCRIPTS = ("as written", "traditional")
RESULTS = ROOT / "bench/results"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"


# ---------- data ----------


def load_eval(split: str = "eval") -> list[dict]:
    """A held-out split's examples: text, gold label, alternative labels and gold
    entities (with offsets for our splits; entity and value only for the dev set)."""
    if split == "dev":
        return [
            dict(row, entities=[{"entity": k, "value": v} for k, v in row["entities"].items()])
            for row in load_real_dev()
        ]
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for m in load_data(str(SPLITS[split])).intent_examples:
        examples.append(
            {
                "text": m.get("text"),
                "label": m.get("intent_response_key") or m.get("intent"),
                "alt": [],
                "entities": [
                    {k: e[k] for k in ("entity", "value", "start", "end")}
                    for e in m.get("entities", [])
                ],
            }
        )
    return examples


def to_traditional(example: dict, converter) -> dict:
    """The example in traditional Chinese (OpenCC s2twp), converted piecewise so
    that the entity offsets stay exact."""
    if any("start" not in e for e in example["entities"]):
        return {**example, "text": converter.convert(example["text"])}
    text, cuts = (
        example["text"],
        sorted(
            {0, len(example["text"])}
            | {p for e in example["entities"] for p in (e["start"], e["end"])}
        ),
    )
    pieces = [converter.convert(text[a:b]) for a, b in pairwise(cuts)]
    new_pos = {cuts[0]: 0}
    for (a, b), piece in zip(pairwise(cuts), pieces, strict=True):
        new_pos[b] = new_pos[a] + len(piece)
    entities = [
        dict(e, start=new_pos[e["start"]], end=new_pos[e["end"]]) for e in example["entities"]
    ]
    return {**example, "text": "".join(pieces), "entities": entities}


# ---------- training and prediction ----------


def train(config: Path, nlu: Path, domain: Path, out: Path, name: str) -> float:
    """Train an NLU model; return the wall time in seconds."""
    start = time.monotonic()
    subprocess.run(
        [
            str(RASA),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(nlu),
            "--domain",
            str(domain),
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    return time.monotonic() - start


def seconds_file(model: Path) -> Path:
    """Where --train-stock leaves a stock model's training time: FILE.seconds."""
    return model.with_name(model.name + ".seconds")


def train_stock_alone(model: Path) -> None:
    """Train the stock pipeline on bot/data/nlu into ``model``; its wall time goes to
    ``model``.seconds for a later run's report."""
    work = Path(tempfile.mkdtemp(prefix="jieru-nlu-stock-"))
    nlu = ROOT / "bot/data/nlu"
    seconds = train(
        Path(__file__).with_name("stock_config.yml"),
        nlu,
        write_domain(work / "domain.yml", nlu),
        work,
        "stock",
    )
    model.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(work / "stock.tar.gz", model)
    seconds_file(model).write_text(f"{seconds:.1f}\n")
    shutil.rmtree(work, ignore_errors=True)


def predict_in_subprocess(model: Path, texts: list[str], workdir: Path) -> list[dict]:
    # One process per model: jieba's dictionary is global, and one model's user
    # dictionary must not help the other.
    inp, out = workdir / f"{model.stem}.in.json", workdir / f"{model.stem}.out.json"
    inp.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    subprocess.run(
        [str(PYTHON), __file__, "--predict", str(model), str(inp), str(out)],
        check=True,
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def predict(model: str, inp: str, out: str) -> None:
    """Parse every text with the model; keep label, ranking and entities."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)

    def label(parse: dict, intent: str | None) -> str | None:
        selectors = parse.get("response_selector", {})
        if intent in selectors.get("all_retrieval_intents", []):
            selector = selectors.get(intent) or selectors.get("default") or {}
            return selector.get("response", {}).get("intent_response_key") or intent
        return intent

    async def run() -> list[dict]:
        results = []
        for text in json.loads(Path(inp).read_text(encoding="utf-8")):
            parse = await agent.parse_message(text)
            ranking = [r for r in parse.get("intent_ranking", []) if r["name"] != FALLBACK]
            results.append(
                {
                    "label": label(parse, parse["intent"]["name"]),
                    "top": label(parse, ranking[0]["name"]) if ranking else None,
                    "top_conf": ranking[0]["confidence"] if ranking else 0.0,
                    "gap": ranking[0]["confidence"] - ranking[1]["confidence"]
                    if len(ranking) > 1
                    else 1.0,
                    "faq_conf": (
                        parse.get("response_selector", {})
                        .get("faq", {})
                        .get("response", {})
                        .get("confidence")
                    ),
                    "entities": [
                        {k: e[k] for k in ("entity", "value", "start", "end")}
                        for e in parse.get("entities", [])
                    ],
                }
            )
        return results

    Path(out).write_text(json.dumps(asyncio.run(run()), ensure_ascii=False), encoding="utf-8")


# ---------- scoring ----------


def score(examples: list[dict], predictions: list[dict]) -> dict:
    """Intent accuracy, macro-F1, per-label F1, confusions, entity F1 and the
    wrong-answer rate: the share of in-scope messages answered with a wrong intent
    (not bounced to the fallback)."""
    from sklearn.metrics import f1_score

    gold = [e["label"] for e in examples]
    pred = [credited(e, p["label"]) for e, p in zip(examples, predictions, strict=True)]
    labels = sorted(set(gold))
    per_label = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    with_offsets = all("start" in e for x in examples for e in x["entities"])
    fields = ("entity", "value", "start", "end") if with_offsets else ("entity", "value")
    key = lambda e: tuple(e[f] for f in fields)  # noqa: E731
    tp = fp = fn = 0
    entity_errors = []
    for e, p in zip(examples, predictions, strict=True):
        g, q = Counter(map(key, e["entities"])), Counter(map(key, p["entities"]))
        tp += sum((g & q).values())
        fp += sum((q - g).values())
        fn += sum((g - q).values())
        if g != q:
            entity_errors.append([e["text"], sorted(g - q), sorted(q - g)])
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    in_scope = [(g, p) for g, p in zip(gold, pred, strict=True) if g != OUT_OF_SCOPE]
    return {
        "n": len(gold),
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold),
        "macro_f1": float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)),
        "per_label_f1": {lbl: round(float(f), 3) for lbl, f in zip(labels, per_label, strict=True)},
        "top_confusions": [[g, p, n] for (g, p), n in confusions.most_common(10)],
        "entity_f1": 2 * precision * recall / max(precision + recall, 1e-9),
        "entity_precision": precision,
        "entity_recall": recall,
        "in_scope_fallback_rate": sum(p == FALLBACK for _, p in in_scope) / max(len(in_scope), 1),
        "wrong_answer_rate": sum(p not in (g, FALLBACK) for g, p in in_scope)
        / max(len(in_scope), 1),
        "out_of_scope_f1": float(
            f1_score(gold, pred, labels=[OUT_OF_SCOPE], average="macro", zero_division=0)
        ),
        "entity_errors": entity_errors,  # text, missed, spurious
        "errors": [
            [e["text"], g, p, round(q["top_conf"], 3)]
            for e, g, p, q in zip(examples, gold, pred, predictions, strict=True)
            if g != p
        ],
    }


def threshold_sweep(examples: list[dict], predictions: list[dict]) -> list[dict]:
    """Accuracy and bounce rates had FallbackClassifier used other thresholds."""
    rows = []
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6):
        for ambiguity in (0.0, 0.02, 0.05, 0.1):
            labels = [
                FALLBACK if p["top_conf"] < threshold or p["gap"] < ambiguity else p["top"]
                for p in predictions
            ]
            labels = [credited(e, lbl) for lbl, e in zip(labels, examples, strict=True)]
            right = sum(lbl == e["label"] for lbl, e in zip(labels, examples, strict=True))
            in_scope = [
                lbl for lbl, e in zip(labels, examples, strict=True) if e["label"] != OUT_OF_SCOPE
            ]
            oos = [
                lbl for lbl, e in zip(labels, examples, strict=True) if e["label"] == OUT_OF_SCOPE
            ]
            rows.append(
                {
                    "threshold": threshold,
                    "ambiguity": ambiguity,
                    "accuracy": round(right / len(examples), 4),
                    "in_scope_bounced": round(in_scope.count(FALLBACK) / max(len(in_scope), 1), 4),
                    "oos_caught": round(
                        sum(lbl in (FALLBACK, OUT_OF_SCOPE) for lbl in oos) / max(len(oos), 1), 4
                    ),
                }
            )
    return rows


# ---------- report ----------


def subset_nlu(fraction: float, target: Path) -> Path:
    """A copy of bot/data/nlu keeping ``fraction`` of each intent's examples (seeded)."""
    import yaml

    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(13)
    for path in (ROOT / "bot/data/nlu").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            if "examples" in block:
                lines = [ln for ln in block["examples"].splitlines() if ln.strip()]
                kept = rng.sample(lines, max(2, round(len(lines) * fraction)))
                block["examples"] = "\n".join(kept) + "\n"
        (target / path.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def markdown(report: dict) -> str:
    sizes = ", ".join(f"{split} {n}" for split, n in report["n_eval"].items())
    lines = [
        "# NLU bench",
        "",
        f"{report['time']}, held-out examples: {sizes}; each as written and in traditional",
        "",
        "| model | split | script | accuracy | macro-F1 | out_of_scope F1 | wrong answers | "
        "entity F1 | in-scope bounced | train s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model, runs in report["models"].items():
        for split in report["n_eval"]:
            for script in SCRIPTS:
                s = runs[split][script]
                lines.append(
                    f"| {model} | {split} | {script} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} | "
                    f"{s['out_of_scope_f1']:.3f} | {s['wrong_answer_rate']:.3f} | "
                    f"{s['entity_f1']:.3f} | {s['in_scope_fallback_rate']:.3f} | "
                    f"{runs['train_seconds']:.0f} |"
                )
    for model, runs in report["models"].items():
        for split in report["n_eval"]:
            written, trad = (runs[split][script] for script in SCRIPTS)
            lines += [
                "",
                f"## {model}, {split}: per-label F1 (as written / traditional)",
                "",
                "| label | as written | trad |",
                "|---|---|---|",
            ]
            lines += [
                f"| {lbl} | {f:.2f} | {trad['per_label_f1'][lbl]:.2f} |"
                for lbl, f in written["per_label_f1"].items()
            ]
            lines += [
                "",
                "Top confusions (as written): "
                + "; ".join(f"{g} → {p} ×{n}" for g, p, n in written["top_confusions"]),
            ]
    if "sweep" in report:
        lines += [
            "",
            "## Fallback thresholds (ours, every split and script)",
            "",
            "| threshold | ambiguity | accuracy | in-scope bounced | out-of-scope caught |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['threshold']} | {r['ambiguity']} | {r['accuracy']} | {r['in_scope_bounced']} | "
            f"{r['oos_caught']} |"
            for r in report["sweep"]
        ]
    if "curve" in report:
        lines += [
            "",
            "## Learning curve (ours, eval as written)",
            "",
            "| share of training data | accuracy | macro-F1 |",
            "|---|---|---|",
        ]
        lines += [
            f"| {c['fraction']} | {c['accuracy']:.3f} | {c['macro_f1']:.3f} |"
            for c in report["curve"]
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--skip-stock", action="store_true", help="only train and score our pipeline"
    )
    parser.add_argument(
        "--curve", action="store_true", help="also train ours on 25/50/75%% of the data"
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=ROOT / "bot/config.yml",
        help="our pipeline (default bot/config.yml)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="score this trained model as ours instead of training one (quick error analysis)",
    )
    parser.add_argument(
        "--stock-model",
        type=Path,
        help="score this trained stock model (from --train-stock) instead of training one",
    )
    parser.add_argument(
        "--train-stock", type=Path, metavar="FILE", help="only train the stock model into FILE"
    )
    parser.add_argument(
        "--predict", nargs=3, metavar=("MODEL", "IN", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.predict:
        predict(*args.predict)
        return
    if args.train_stock:
        train_stock_alone(args.train_stock.resolve())
        return

    import opencc

    converter = opencc.OpenCC("s2twp")
    examples = {}  # (split, script) -> examples, in the order they are parsed
    splits = [split for split in SPLIT_NAMES if split != "dev" or REAL_DEV.exists()]
    if "dev" not in splits:
        print(
            f"note: the real-buyer dev set is not beside the checkout ({REAL_DEV}); scoring our splits only"
        )
    for split in splits:
        written = load_eval(split)
        examples[split, SCRIPTS[0]] = written
        examples[split, SCRIPTS[1]] = [to_traditional(e, converter) for e in written]
    everything = [e for batch in examples.values() for e in batch]
    work = Path(tempfile.mkdtemp(prefix="jieru-nlu-bench-"))
    nlu = ROOT / "bot/data/nlu"
    domain = write_domain(work / "domain.yml", nlu)
    configs = {"jieru": args.config.resolve()}
    if not args.skip_stock:
        configs["stock"] = Path(__file__).with_name("stock_config.yml")
    report: dict = {
        "time": time.strftime("%Y-%m-%d %H:%M"),
        "n_eval": {split: len(examples[split, SCRIPTS[0]]) for split in splits},
        "config": str(args.config),
        "models": {},
    }
    for name, config in configs.items():
        if name == "jieru" and args.model:
            seconds, model = 0.0, args.model.resolve()
        elif name == "stock" and args.stock_model:
            model = args.stock_model.resolve()
            seconds = float(seconds_file(model).read_text())
        else:
            seconds, model = train(config, nlu, domain, work, name), work / f"{name}.tar.gz"
        preds = predict_in_subprocess(model, [e["text"] for e in everything], work)
        runs: dict = {"train_seconds": seconds}
        start = 0
        for (split, script), batch in examples.items():
            runs.setdefault(split, {})[script] = score(batch, preds[start : start + len(batch)])
            start += len(batch)
        report["models"][name] = runs
        if name == "jieru":
            report["sweep"] = threshold_sweep(everything, preds)
    if args.curve:
        report["curve"] = []
        for fraction in (0.25, 0.5, 0.75):
            data = subset_nlu(fraction, work / f"nlu-{fraction}")
            train(configs["jieru"], data, domain, work, f"curve{fraction}")
            heldout = examples["eval", SCRIPTS[0]]
            preds = predict_in_subprocess(
                work / f"curve{fraction}.tar.gz", [e["text"] for e in heldout], work
            )
            report["curve"].append(
                {
                    "fraction": fraction,
                    **{
                        k: v
                        for k, v in score(heldout, preds).items()
                        if k in ("accuracy", "macro_f1")
                    },
                }
            )

    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"nlu-{time.strftime('%Y%m%d-%H%M%S')}"
    stem.with_suffix(".json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    stem.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report).split("\n## ")[0])
    if "stock" in report["models"]:
        for split in splits:
            for script in SCRIPTS:
                ours, stock = (report["models"][m][split][script] for m in ("jieru", "stock"))
                print(
                    f"{split}, {script}: accuracy {ours['accuracy'] - stock['accuracy']:+.3f}, "
                    f"macro-F1 {ours['macro_f1'] - stock['macro_f1']:+.3f} vs stock"
                )
    print(f"report: {stem}.md")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
