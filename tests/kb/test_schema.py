"""A broken kb file fails loudly, naming the file and the place in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jieru.kb import evidence, faq
from jieru.kb.faq import KbError


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_fact_without_sources_is_refused(kb_copy: Path) -> None:
    edit(kb_copy / "faq" / "jd.yml", lambda d: d["faq"]["conditions"]["facts"][1].pop("sources"))
    with pytest.raises(KbError) as err:
        faq.answer("conditions", "jd")
    message = str(err.value)
    assert "jd.yml" in message and "faq.schema.json" in message
    assert "$.faq.conditions.facts[1]" in message and "'sources' is a required property" in message


def test_a_missing_key_is_refused(kb_copy: Path) -> None:
    edit(kb_copy / "faq" / "xianyu.yml", lambda d: d["faq"].pop("evidence"))
    with pytest.raises(KbError, match=r"(?s)xianyu\.yml.*'evidence' is a required property"):
        faq.answer("where_to_apply", "xianyu")


def test_an_unknown_entry_needs_a_note(kb_copy: Path) -> None:
    edit(kb_copy / "faq" / "tmall.yml", lambda d: d["faq"]["conditions"].pop("note"))
    with pytest.raises(KbError, match=r"(?s)tmall\.yml.*\$\.faq\.conditions"):
        faq.answer("conditions", "tmall")


def test_a_seed_not_listed_in_sources_is_refused(kb_copy: Path) -> None:
    def cite_unknown(d: dict) -> None:
        d["faq"]["evidence"]["facts"][0]["sources"][0]["seed"] = "made-up-article.txt"

    edit(kb_copy / "faq" / "taobao.yml", cite_unknown)
    with pytest.raises(KbError) as err:
        faq.answer("evidence", "taobao")
    assert "taobao.yml" in str(err.value)
    assert "$.faq.evidence.facts[0].sources[0]: 'made-up-article.txt' is not listed" in str(
        err.value
    )


def test_a_button_to_an_unknown_faq_is_refused(kb_copy: Path) -> None:
    edit(
        kb_copy / "faq" / "keys.yml",
        lambda d: d["keys"]["evidence"]["buttons"].append({"title": "x", "faq": "nope"}),
    )
    with pytest.raises(KbError, match=r"(?s)keys\.yml.*\$\.keys\.evidence.*'nope'"):
        faq.answer("evidence", "jd")


def test_evidence_item_must_be_defined(kb_copy: Path) -> None:
    edit(
        kb_copy / "evidence.yml",
        lambda d: d["problems"]["report_bad_item"].append({"item": "selfie"}),
    )
    with pytest.raises(KbError, match=r"(?s)evidence\.yml.*report_bad_item\[\d+\]\.item: 'selfie'"):
        evidence.checklist("report_bad_item")


def test_evidence_without_a_source_is_refused(kb_copy: Path) -> None:
    edit(kb_copy / "evidence.yml", lambda d: d["items"]["photo"].pop("source"))
    with pytest.raises(
        KbError, match=r"(?s)evidence\.yml.*\$\.items\.photo.*'source' is a required"
    ):
        evidence.checklist("report_bad_item")


def test_a_missing_file_is_named(kb_copy: Path) -> None:
    (kb_copy / "faq" / "pdd.yml").unlink()
    with pytest.raises(KbError, match=r"pdd\.yml: file not found"):
        faq.answer("conditions", "pdd")
