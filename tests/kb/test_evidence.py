"""Evidence checklists for each problem a buyer reports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jieru.config import PLATFORMS
from jieru.kb import evidence, load_yaml
from tests.fixtures import NLU_CONTRACT


def test_every_report_intent_of_the_contract_has_a_checklist() -> None:
    intents = yaml.safe_load(NLU_CONTRACT.read_text(encoding="utf-8"))["intents"]
    assert {i for i in intents if i.startswith("report_")} == set(evidence.problems())


@pytest.mark.parametrize("platform", [None, *PLATFORMS])
@pytest.mark.parametrize("problem", evidence.problems())
def test_each_checklist_is_non_empty_and_sourced(problem: str, platform: str | None) -> None:
    items = evidence.checklist(problem, platform)
    assert items
    assert len({i.id for i in items}) == len(items)
    listed = load_yaml("sources.yml")
    for item in items:
        assert item.label
        assert item.source in listed["seeds"] or item.source in listed["rules"]


def test_platform_only_items_appear_for_that_platform() -> None:
    def ids(platform: str | None) -> list[str]:
        return [i.id for i in evidence.checklist("report_refund_refused", platform)]

    assert "jd_notice" in ids("jd")
    assert "jd_notice" not in ids("taobao") and "jd_notice" not in ids(None)


def test_a_problem_can_narrow_an_items_label() -> None:
    [logistics] = [
        i for i in evidence.checklist("report_return_not_refunded", "taobao") if i.id == "logistics"
    ]
    assert "退货" in logistics.label and "签收" in logistics.label


def test_suggestions_no_source_names_say_why() -> None:
    items = {i.id: i for i in evidence.checklist("report_bad_item", "taobao")}
    assert {"photo", "chat_record", "unboxing_video", "quality_report"} <= set(items)
    assert items["photo"].inferred is None
    assert items["unboxing_video"].inferred and items["quality_report"].inferred


def test_unknown_problem_or_platform_is_refused(kb_copy: Path) -> None:
    with pytest.raises(ValueError, match="no evidence checklist"):
        evidence.checklist("report_weather")
    with pytest.raises(ValueError, match="unknown platform"):
        evidence.checklist("report_bad_item", "amazon")


@pytest.mark.parametrize("problem", evidence.problems())
def test_each_platform_gets_only_the_evidence_its_own_sources_name(problem: str) -> None:
    # The Taobao seeds' list is Taobao's; JD's notices JD's (issue 11).
    taobao = {i.id for i in evidence.checklist(problem, "taobao")}
    jd = {i.id for i in evidence.checklist(problem, "jd")}
    assert {"chat_record", "order_description"} <= taobao and "jd_notice" not in taobao
    assert {"jd_notice", "description"} <= jd and not jd & {"chat_record", "photo", "logistics"}
    assert "general_advice" not in taobao | jd


@pytest.mark.parametrize("platform", ["tmall", "pdd", "xianyu", None])
def test_platforms_no_source_covers_get_labelled_general_advice(platform: str | None) -> None:
    [item] = evidence.checklist("report_refund_refused", platform)
    assert item.id == "general_advice" and item.inferred
    assert "我的资料里没有" in item.label and "不是平台的要求" in item.label
