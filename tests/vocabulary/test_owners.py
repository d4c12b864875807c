"""One owner for every vocabulary the buyer sees: each test fails when a second
definition appears, or when a place that shows or checks the vocabulary drifts from it.

Owners: kb/labels.yml (labels, templates, intent labels, button titles), kb/problems.yml
(the problems), jieru.config.PLATFORMS, jieru.rules.transitions (statuses and the
settled ones), jieru.rules.deadlines.format_local_time (times), the constants in
bot/actions (limits shown to the buyer).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.actions.common import ORDER_ID_DIGITS, labels, problems
from bot.actions.conversation import PAYLOAD_ONLY
from bot.actions.intervention import MAX_DESCRIPTION
from jieru.config import PLATFORMS, PROJECT_ROOT
from jieru.db import models
from jieru.kb.lexicon import CANONICAL_VALUES
from jieru.rules.transitions import (
    AFTERSALE_STATUSES,
    INTERVENTION_STATUSES,
    SETTLED_AFTERSALE_STATUSES,
    TRANSITIONS,
    is_final,
)

KB = PROJECT_ROOT / "kb"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def kb_yaml_files() -> list[Path]:
    return sorted(p for p in KB.rglob("*.yml") if p.name != "labels.yml")


def mappings(node: Any) -> list[dict]:
    """Every mapping inside a parsed YAML document."""
    if isinstance(node, dict):
        return [node, *(m for v in node.values() for m in mappings(v))]
    if isinstance(node, list):
        return [m for v in node for m in mappings(v)]
    return []


# --- statuses and stages ---


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("order_status", models.ORDER_STATUSES),
        ("aftersale_status", AFTERSALE_STATUSES),
        ("intervention_status", INTERVENTION_STATUSES),
        ("aftersale_type", models.AFTERSALE_TYPES),
        ("platform", PLATFORMS),
    ],
)
def test_every_value_the_database_allows_has_exactly_one_label(kind, values):
    assert tuple(labels()[kind]) == tuple(values)
    assert all(isinstance(v, str) and v.strip() for v in labels()[kind].values())


def test_no_other_kb_file_labels_a_status():
    # A mapping from several status names to Chinese text outside kb/labels.yml is a
    # second label set (as common.yml's stages and aftersale_statuses were).
    statuses = set(AFTERSALE_STATUSES) | set(INTERVENTION_STATUSES) | set(models.ORDER_STATUSES)
    for path in kb_yaml_files():
        for m in mappings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            labelled = [
                k for k, v in m.items() if k in statuses and isinstance(v, str) and CJK.search(v)
            ]
            assert len(labelled) < 2, f"{path.relative_to(PROJECT_ROOT)} labels statuses {labelled}"


def test_the_engine_and_the_actions_name_statuses_alike():
    from jieru.kb.policy import load_policy

    for platform in PLATFORMS:
        policy_labels = load_policy(platform).labels
        assert dict(policy_labels.stages) == labels()["intervention_status"]
        assert dict(policy_labels.aftersale_statuses) == labels()["aftersale_status"]
        assert policy_labels.deadline_item == labels()["templates"]["deadline_line"]


# --- finished statuses ---


def test_settled_statuses_are_derived_from_the_state_machine():
    assert SETTLED_AFTERSALE_STATUSES == {"refunded", "reshipped", "closed", "cancelled"}
    for status in SETTLED_AFTERSALE_STATUSES:
        assert TRANSITIONS["aftersale"][status] <= {"closed"}
    # Every final status is settled; "reshipped" is settled but may still be closed.
    assert {s for s in AFTERSALE_STATUSES if is_final("aftersale", s)} <= SETTLED_AFTERSALE_STATUSES


def test_no_second_set_of_finished_statuses():
    for path in [
        *sorted((PROJECT_ROOT / "jieru").rglob("*.py")),
        *sorted((PROJECT_ROOT / "bot").rglob("*.py")),
    ]:
        text = path.read_text(encoding="utf-8")
        assert "FINISHED" not in text and "settled_statuses" not in text, path
    for path in kb_yaml_files():
        assert "settled_statuses" not in path.read_text(encoding="utf-8"), path


# --- complaint categories ---


def test_the_complaint_buttons_are_the_categories_of_kb_labels():
    buttons = domain()["responses"]["utter_ask_complaint_form_complaint_category"][0]["buttons"]
    expected = [
        {"title": name, "payload": f'/file_complaint{{{{"complaint_category": "{key}"}}}}'}
        for key, name in labels()["complaint_category"].items()
    ]
    assert buttons == expected


# --- problems ---


def test_problems_are_one_list():
    listed = problems()
    assert listed and all(p.startswith("report_") for p in listed)
    d = domain()
    report_intents = [i for i in d["intents"] if isinstance(i, str) and i.startswith("report_")]
    assert report_intents == list(listed)
    mapped = [m["intent"] for m in d["slots"]["problem"]["mappings"]]
    assert mapped == list(listed)
    buttons = d["responses"]["utter_ask_intervention_form_problem"][0]["buttons"]
    assert [b["payload"] for b in buttons] == [f"/{p}" for p in listed]
    assert set(listed) <= set(labels()["intents"])
    evidence = yaml.safe_load((KB / "evidence.yml").read_text(encoding="utf-8"))
    keys = {
        k for m in mappings(evidence) for k in m if isinstance(k, str) and k.startswith("report_")
    }
    assert keys <= set(listed)
    rules = yaml.safe_load(
        (PROJECT_ROOT / "bot/data/rules/intervention.yml").read_text(encoding="utf-8")
    )
    started = [
        r["steps"][0].get("intent")
        for r in rules["rules"]
        if r["steps"][0].get("intent", "").startswith("report_")
    ]
    assert started == list(listed)


# --- platforms ---


def test_platforms_are_one_constant():
    assert tuple(CANONICAL_VALUES["platform"]) == PLATFORMS
    assert tuple(CANONICAL_VALUES["aftersale_type"]) == models.AFTERSALE_TYPES
    assert set(CANONICAL_VALUES["goods_type"]) == set(models.GOODS_TYPES)
    schemas = [
        *(PROJECT_ROOT / "jieru" / "schemas").glob("*.json"),
        *(KB / "schema").glob("*.json"),
    ]
    checked = 0
    for path in schemas:
        for m in mappings(json.loads(path.read_text(encoding="utf-8"))):
            enum = m.get("enum")
            if (
                isinstance(enum, list)
                and set(enum) & set(PLATFORMS)
                and set(enum) <= {*PLATFORMS, None}
            ):
                assert [e for e in enum if e is not None] == list(PLATFORMS), path
                checked += 1
    assert checked, "no platform enum found in the schemas: nothing was checked"


def test_no_python_module_spells_the_platform_list():
    spelled = re.compile(r"""\(\s*["']jd["']\s*,\s*["']taobao["']""")
    for root in ("jieru", "bot", "tests", "bench"):
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            if path == PROJECT_ROOT / "jieru" / "config.py":
                continue
            assert not spelled.search(path.read_text(encoding="utf-8")), path


# --- times and templates ---


def test_one_time_formatter():
    # format_local_time is the only writer of dates; no strftime pattern with 月 anywhere.
    for root in ("jieru", "bot"):
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            assert "%m月" not in text and "%d日" not in text, path
    assert "time" not in labels()["templates"]


def test_the_deadline_line_has_one_owner():
    for path in kb_yaml_files():
        assert "{label}：{time}" not in path.read_text(encoding="utf-8"), path
    assert "{label}：{time}" not in (PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")


# --- limits shown to the buyer ---


def test_limits_come_from_the_one_constant():
    text = (PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")
    assert "{longest} 字以内" in text and f"{MAX_DESCRIPTION} 字" not in text
    assert "{shortest}–{longest} 位" in text and re.search(r"\d+\s*[–-]\s*\d+\s*位", text) is None
    # The order table refuses exactly the numbers the buyer is told are impossible.
    shortest, longest = ORDER_ID_DIGITS
    checks = [
        str(c.sqltext)
        for c in models.Order.__table__.constraints
        if getattr(c, "sqltext", None) is not None
    ]
    assert f"length(id) BETWEEN {shortest} AND {longest}" in checks
    assert models.Order.__table__.c.id.type.length == longest
    # ... and the entity extractor reads a run of exactly those lengths as an order number.
    from jieru.kb import lexicon

    assert f"\\d{{{shortest},{longest}}}" in lexicon._ORDER_ID.pattern


# --- words in Python, intent labels ---


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """String literals with Chinese in ``path``, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body
        ):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and CJK.search(node.value)
    ]


@pytest.mark.parametrize(
    "path",
    [
        *sorted((PROJECT_ROOT / "bot" / "actions").glob("*.py")),
        *sorted((PROJECT_ROOT / "jieru" / "services").glob("*.py")),
    ],
    ids=lambda p: str(p.relative_to(PROJECT_ROOT)),
)
def test_no_buyer_facing_chinese_in_python(path):
    assert chinese_literals(path) == []


def test_intent_labels_live_in_kb_not_in_fake_responses():
    d = domain()
    questions = {name for name in d["responses"] if name.startswith("utter_ask_")}
    slots = set(d["slots"])
    forms = {
        f"{form}_{slot}" for form, spec in d["forms"].items() for slot in spec["required_slots"]
    }
    # Rasa's own: the fallback's ask-affirmation and rephrase.
    allowed = {f"utter_ask_{s}" for s in slots | forms} | {
        "utter_ask_affirmation",
        "utter_ask_rephrase",
    }
    assert questions <= allowed
    intents = [i if isinstance(i, str) else next(iter(i)) for i in d["intents"]]
    # The widget's payload-only intents are never typed nor offered, so they have no label.
    assert set(intents) - {"faq"} - PAYLOAD_ONLY <= set(labels()["intents"])
    assert set(labels()["intents"]) <= set(intents)


def test_every_eligibility_state_has_words_for_the_handoff():
    assert tuple(labels()["eligibility"]) == tuple(domain()["slots"]["eligibility"]["values"])
