"""The real buyers' development set (../shared/eval/real-buyers-dev.yml): loading and
label matching, shared by the bench and the test command's regression gate.

It is measurement data written by others and stays in ../shared, never in the repo.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REAL_DEV = ROOT.parent / "shared" / "eval" / "real-buyers-dev.yml"


def load_real_dev(path: Path = REAL_DEV) -> list[dict]:
    """Each row as ``{"text", "label", "alt": [labels], "entities": {entity: value}}``."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]
    return [
        {
            "text": row["text"],
            "label": row["intent"],
            "alt": list(row.get("alt") or []),
            "entities": dict(row.get("entities") or {}),
        }
        for row in rows
    ]


def credited(row: dict, predicted: str | None) -> str | None:
    """The gold label a prediction is scored against: a defensible ``alt`` reading
    counts as the gold label itself, anything else stays as predicted."""
    return row["label"] if predicted in row["alt"] else predicted
