"""Precision and recall of the emotion trigger on bench/emotion/messages.yml.

Scores, side by side on each split (dev … last: kb/emotion.yml was tuned on their
mistakes; blind: written after the last tuning; see the file's header):
- the lexicon (``jieru.emotion.assess``, ``strong`` level) and a sweep of its threshold;
- snownlp's sentiment model (ships its weights, trained on product reviews), a message
  being "strong" when its positive probability is below a threshold, if installed;
- the two combined: lexicon OR model, lexicon AND model, and "mild lexicon + model".

Usage: PYTHONPATH=$PWD .venv/actions/bin/python bench/emotion/run.py [--errors]
Writes bench/results/emotion-<time>.md and prints the same tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's jieru, not another installed copy
from jieru import emotion  # noqa: E402

MESSAGES = Path(__file__).with_name("messages.yml")
# dev … last: the cues were tuned on their mistakes (see the file's header); blind:
# written after the last change to the cues, measured as written.
SPLITS = ("dev", "test", "holdout", "fresh", "final", "last", "blind", "sealed", "unseen")
RESULTS = ROOT / "bench/results"
LEXICON_SWEEP = (0.6, 0.8, 1.0, 1.2, 1.4)
MODEL_SWEEP = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def load_messages() -> dict[str, list[tuple[str, bool]]]:
    """Split -> [(text, is_strong)], plus ``all``."""
    data = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    splits = {
        split: [(t, True) for t in data[split]["strong"]]
        + [(t, False) for t in data[split]["not_strong"]]
        for split in SPLITS
    }
    splits["all"] = [row for split in SPLITS for row in splits[split]]
    return splits


def scores(rows: list[tuple[str, bool]], predict: Callable[[str], bool]) -> dict:
    """Precision, recall and F1 of ``predict`` for the ``strong`` label over ``rows``."""
    tp = fp = fn = 0
    for text, gold in rows:
        guess = predict(text)
        tp += guess and gold
        fp += guess and not gold
        fn += gold and not guess
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def snownlp_model() -> Callable[[str], float] | None:
    """snownlp's probability that a text is positive, or None when snownlp is missing."""
    try:
        from snownlp import SnowNLP
    except ImportError:
        return None
    cache: dict[str, float] = {}

    def positive(text: str) -> float:
        if text not in cache:
            cache[text] = SnowNLP(text).sentiments if text.strip() else 0.5
        return cache[text]

    return positive


def predictors() -> dict[str, Callable[[str], bool]]:
    """Every detector measured, by the name shown in the tables."""
    lex = emotion.load_lexicon()
    assessed: dict[str, emotion.Emotion] = {}

    def assess(text: str) -> emotion.Emotion:
        if text not in assessed:
            assessed[text] = emotion.assess(text, lex)
        return assessed[text]

    found: dict[str, Callable[[str], bool]] = {
        f"lexicon score >= {t}{' (kb)' if t == lex.strong else ''}": (
            lambda s, t=t: assess(s).score >= t
        )
        for t in LEXICON_SWEEP
    }
    positive = snownlp_model()
    if positive is not None:
        for t in MODEL_SWEEP:
            found[f"snownlp positive < {t}"] = lambda s, t=t: positive(s) < t
        for t in (0.05, 0.2):
            found[f"lexicon OR snownlp < {t}"] = lambda s, t=t: assess(s).strong or positive(s) < t
            found[f"lexicon AND snownlp < {t}"] = lambda s, t=t: (
                assess(s).strong and positive(s) < t
            )
            found[f"lexicon, or mild and snownlp < {t}"] = lambda s, t=t: (
                assess(s).strong or (assess(s).level == "mild" and positive(s) < t)
            )
    return found


def table(splits: dict[str, list[tuple[str, bool]]]) -> list[str]:
    names = list(splits)
    head = "| detector | " + " | ".join(f"{n} P / R / F1 (fp, fn)" for n in names) + " |"
    lines = [head, "|" + " --- |" * (len(names) + 1)]
    for name, predict in predictors().items():
        cells = []
        for split in names:
            s = scores(splits[split], predict)
            cells.append(f"{s['p']:.3f} / {s['r']:.3f} / {s['f1']:.3f} ({s['fp']}, {s['fn']})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def errors(splits: dict[str, list[tuple[str, bool]]], names: list[str]) -> list[str]:
    """The lexicon's false positives and misses on the splits ``names``, with the cues it found."""
    out = []
    for split in names:
        for text, gold in splits[split]:
            found = emotion.assess(text)
            if found.strong != gold:
                kind = "miss" if gold else "false alarm"
                cues = ", ".join(f"{c.group}:{c.text}" for c in found.cues) or "-"
                out.append(f"- {split} {kind} ({found.score}): {text[:60]} — {cues}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--errors",
        nargs="*",
        metavar="SPLIT",
        help="list the lexicon's mistakes "
        "on these splits (default dev; reading blind's mistakes makes it a tuning split too)",
    )
    args = parser.parse_args()
    splits = load_messages()
    counts = ", ".join(
        f"{k}: {sum(g for _, g in v)} strong / {sum(not g for _, g in v)} not"
        for k, v in splits.items()
    )
    lex = emotion.load_lexicon()
    started = time.perf_counter()
    for text, _ in splits["all"]:
        emotion.assess(text, lex)
    per_message = (time.perf_counter() - started) / len(splits["all"]) * 1000
    lines = [
        f"# Emotion trigger, {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"bench/emotion/messages.yml (written by the project, not real buyers): {counts}.",
        f"kb/emotion.yml levels: strong >= {lex.strong}, mild >= {lex.mild}; "
        f"assess() {per_message:.3f} ms a message.",
        "",
        *table(splits),
    ]
    if snownlp_model() is None:
        lines += ["", "snownlp is not installed: model rows skipped."]
    if args.errors is not None:
        names = args.errors or ["dev"]
        lines += ["", f"## The lexicon's mistakes on {', '.join(names)}", *errors(splits, names)]
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"emotion-{time.strftime('%Y%m%d-%H%M%S')}.md"
    out.write_text(report, encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
