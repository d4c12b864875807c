"""Responses that Rasa's NLG renders keep their button payloads intact."""

from __future__ import annotations

import json

import pytest
import yaml

pytest.importorskip("rasa.core.nlg.interpolator")

from rasa.core.nlg import interpolator  # noqa: E402

from jieru.config import PROJECT_ROOT  # noqa: E402

pytestmark = pytest.mark.rasa


def rendered_responses() -> dict[str, list[dict]]:
    """Every response Rasa's NLG renders, by name. utter_faq/<key> are left out: they are
    the ResponseSelector's labels, and action_answer_faq speaks kb/'s answers instead."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {name: variants for name, variants in domain["responses"].items() if "/" not in name}


def test_payloads_with_entities_survive_slot_interpolation(monkeypatch):
    # Rasa reads "{...}" in a response as a slot placeholder: a JSON payload written with
    # single braces fails to interpolate, and the failure is logged with every slot value
    # of the conversation (order numbers, the buyer's description). Doubled braces
    # render as single ones.
    failures = []
    monkeypatch.setattr(
        interpolator.structlogger, "exception", lambda *a, **kw: failures.append(kw)
    )
    slots = {"order_id": "250312345678", "order_line": "蓝牙耳机", "description": "左耳没声音"}
    payloads = []
    for name, variants in rendered_responses().items():
        for variant in variants:
            buttons = interpolator.interpolate(variant.get("buttons", []), slots)
            payloads += [(name, b["payload"]) for b in buttons]
    assert [f.get("response") for f in failures] == []
    with_entities = [(n, p) for n, p in payloads if "{" in p]
    assert with_entities, "no response button carries entities: nothing was checked"
    for name, payload in with_entities:
        intent, _, entities = payload.partition("{")
        assert intent.startswith("/") and isinstance(json.loads("{" + entities), dict), (
            name,
            payload,
        )
