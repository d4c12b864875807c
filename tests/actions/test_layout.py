"""The shape of bot/actions: one module per feature, none importing another, no broad
``except`` that would tell a bug to the buyer as "order not found"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jieru.config import PROJECT_ROOT

ACTIONS = PROJECT_ROOT / "bot" / "actions"
FEATURES = ("conversation", "faq", "intervention", "aftersale", "complaint", "progress", "handoff")
MODULES = sorted(p for p in ACTIONS.glob("*.py") if p.name != "__init__.py")


def imported(path: Path) -> set[str]:
    """The modules ``path`` imports from."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}


def test_one_module_per_feature_with_the_same_name_in_every_tree():
    assert {p.stem for p in MODULES} == {*FEATURES, "common"}
    rules = {p.stem for p in (PROJECT_ROOT / "bot" / "data" / "rules").glob("*.yml")}
    nlu = {p.stem for p in (PROJECT_ROOT / "bot" / "data" / "nlu").glob("*.yml")}
    assert rules <= set(FEATURES)
    assert nlu - {"out_of_scope"} <= set(FEATURES)  # out_of_scope is conversation's
    domain = (PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")
    for feature in FEATURES:
        assert f"===== {feature}" in domain or f"--- {feature}" in domain, feature


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_action_modules_do_not_import_each_other(path):
    others = {m for m in imported(path) if m.startswith("bot.actions")}
    assert others <= {"bot.actions.common"}, path.name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_action_catches_lookup_or_key_errors(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    caught = [
        ast.unparse(h.type)
        for h in ast.walk(tree)
        if isinstance(h, ast.ExceptHandler) and h.type is not None
    ]
    broad = {"LookupError", "KeyError", "IndexError", "Exception", "BaseException"}
    assert not [c for c in caught if any(b in c for b in broad)], path.name
