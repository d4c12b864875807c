"""Precision and recall of the kb facts the bot shows for specific knowledge questions.

    PYTHONPATH=$PWD .venv/actions/bin/python bench/kb/run.py [--questions FILE] [--misses]

Each question of bench/kb/questions.yml names its platform, faq key and the ids of the
facts that answer it. The bot's answer (jieru.kb.faq.answer with the question text, as
action_answer_faq calls it) is scored on the facts it says, against two baselines: every
fact of the key (the answer before issue 11) and the key's overview facts only. Keys the
kb marks unknown (`facts: []`) are scored on whether the answer admits it and offers a
human. Prints a table; --misses lists the questions whose shown facts differ from the
expected. Pure computation over kb/: no server, no network, a fraction of a second.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from jieru.kb import faq  # noqa: E402

QUESTIONS = Path(__file__).with_name("questions.yml")


@dataclass
class Score:
    tp: int = 0
    shown: int = 0
    expected: int = 0
    precision_sum: float = 0.0
    recall_sum: float = 0.0
    questions: int = 0
    exact: int = 0

    def add(self, shown: list[str], expected: list[str]) -> None:
        hit = len(set(shown) & set(expected))
        self.tp += hit
        self.shown += len(shown)
        self.expected += len(expected)
        self.precision_sum += hit / len(shown) if shown else 0.0
        self.recall_sum += hit / len(expected)
        self.questions += 1
        self.exact += set(shown) == set(expected)

    def row(self, name: str) -> str:
        micro_p = self.tp / self.shown if self.shown else 0.0
        micro_r = self.tp / self.expected if self.expected else 0.0
        f1 = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
        return (
            f"| {name} | {micro_p:.3f} | {micro_r:.3f} | {f1:.3f} | "
            f"{self.precision_sum / self.questions:.3f} | {self.recall_sum / self.questions:.3f} | "
            f"{self.shown / self.questions:.2f} | {self.exact}/{self.questions} |"
        )


def load(path: Path) -> list[dict]:
    """The questions, each checked to name a real platform, key and facts of that key."""
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    for q in questions:
        entry = faq.platform_faq(q["platform"])["faq"][q["key"]]
        ids = {f["id"] for f in entry.get("facts", ())}
        unknown = set(q["facts"]) - ids
        if unknown:
            raise SystemExit(
                f"{path}: {q['q']!r}: {sorted(unknown)} are not facts of {q['platform']}/{q['key']}"
            )
        if bool(q["facts"]) != entry["known"]:
            raise SystemExit(
                f"{path}: {q['q']!r}: facts given for an unknown key or missing for a known one"
            )
    return questions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--misses", action="store_true", help="list questions answered imperfectly")
    args = parser.parse_args()
    questions = load(args.questions)

    def entry_facts(q: dict) -> list[dict]:
        return faq.platform_faq(q["platform"])["faq"][q["key"]]["facts"]

    systems: dict[str, Callable[[dict], list[str]]] = {
        "ranked (the bot)": lambda q: list(faq.answer(q["key"], q["platform"], q["q"]).shown),
        "every fact (before)": lambda q: [f["id"] for f in entry_facts(q)],
        "overview facts only": lambda q: (
            [f["id"] for f in entry_facts(q) if f.get("overview")] or [entry_facts(q)[0]["id"]]
        ),
    }
    known = [q for q in questions if q["facts"]]
    unknown = [q for q in questions if not q["facts"]]
    print(
        f"{len(questions)} questions: {len(known)} on known keys, {len(unknown)} on keys the kb marks unknown"
    )
    print(f"platform × key pairs covered: {len({(q['platform'], q['key']) for q in questions})}")
    print()
    print(
        "| system | precision (micro) | recall (micro) | F1 | precision (macro) | recall (macro) | facts shown / question | exact |"
    )
    print("|---|---|---|---|---|---|---|---|")
    misses = []
    for name, system in systems.items():
        score = Score()
        for q in known:
            shown = system(q)
            score.add(shown, q["facts"])
            if name.startswith("ranked") and set(shown) != set(q["facts"]):
                misses.append((q, shown))
        print(score.row(name))
    honest = 0
    for q in unknown:
        a = faq.answer(q["key"], q["platform"], q["q"])
        honest += (not a.known) and a.buttons[0]["payload"] == "/request_human" and not a.shown
    print()
    print(
        f"unknown keys answered honestly (no facts, a human offered first): {honest}/{len(unknown)}"
    )
    if args.misses:
        print()
        for q, shown in misses:
            print(f"- {q['platform']}/{q['key']} {q['q']}: shown {shown}, expected {q['facts']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
