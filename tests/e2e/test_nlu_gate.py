"""Regression gate: the served model's accuracy on the real buyers' dev set must not
fall more than two points below the figure recorded in bench/nlu/real-dev.yml.

Parses every dev row through the running Rasa server (POST /model/parse), the way the
bot reads a message, and scores it as bench/nlu/run.py does (an ``alt`` label counts).
"""

from __future__ import annotations

import os
import sys

import httpx
import pytest
import yaml

from jieru.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench" / "nlu"))
from realset import REAL_DEV, credited, load_real_dev  # noqa: E402

pytestmark = pytest.mark.servers

RECORDED = PROJECT_ROOT / "bench" / "nlu" / "real-dev.yml"
MAX_DROP = 0.02


def label(parse: dict) -> str | None:
    """The contract label of a parse: the full retrieval intent where there is one."""
    intent = parse["intent"]["name"]
    selector = parse.get("response_selector", {}).get(intent) or {}
    return selector.get("response", {}).get("intent_response_key") or intent


def test_dev_set_accuracy_has_not_regressed() -> None:
    url = os.environ.get("JIERU_RASA_URL")
    if not url:
        pytest.skip("JIERU_RASA_URL not set: run through scripts/test.sh")
    if not REAL_DEV.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the real-buyer dev set is missing: {REAL_DEV}")
        pytest.skip(f"the real-buyer dev set is not beside the checkout ({REAL_DEV})")
    rows = load_real_dev()
    with httpx.Client(base_url=url, timeout=30) as client:
        predicted = [
            label(client.post("/model/parse", json={"text": r["text"]}).json()) for r in rows
        ]
    accuracy = sum(
        credited(r, p) == r["label"] for r, p in zip(rows, predicted, strict=True)
    ) / len(rows)
    recorded = yaml.safe_load(RECORDED.read_text(encoding="utf-8"))["accuracy"]
    assert accuracy >= recorded - MAX_DROP, f"dev accuracy {accuracy:.3f}, recorded {recorded:.3f}"
