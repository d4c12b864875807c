"""FAQ answers: every key for every platform, from the kb's own facts only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jieru.config import PLATFORMS
from jieru.kb import faq
from tests.fixtures import NLU_CONTRACT

KEYS = faq.faq_keys()


def platform_names() -> dict[str, str]:
    return {p: faq.platform_name(p) for p in PLATFORMS}


def facts(platform: str, key: str) -> list[str]:
    return [f["text"] for f in faq.platform_faq(platform)["faq"][key].get("facts", ())]


def test_keys_are_the_faq_intents_of_the_nlu_contract() -> None:
    intents = yaml.safe_load(NLU_CONTRACT.read_text(encoding="utf-8"))["intents"]
    assert set(KEYS) == {i.split("/", 1)[1] for i in intents if i.startswith("faq/")}


@pytest.mark.parametrize("platform", [*PLATFORMS, None])
@pytest.mark.parametrize("key", KEYS)
def test_every_key_renders_for_every_platform(key: str, platform: str | None) -> None:
    a = faq.answer(key, platform)
    assert a.platform == platform
    assert a.text.strip() and a.buttons
    assert all(b["title"] and b["payload"].startswith("/") for b in a.buttons)
    if a.known:
        assert a.sources
    else:
        assert not a.sources
        assert "/request_human" in [b["payload"] for b in a.buttons]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("key", KEYS)
def test_a_platform_answer_says_its_own_facts_and_no_other_platforms(
    key: str, platform: str
) -> None:
    a = faq.answer(key, platform)
    own = facts(platform, key)
    assert a.known == bool(own)
    for text in own:
        assert text in a.text
    names = platform_names()
    assert names[platform] in a.text
    for other in PLATFORMS:
        if other != platform:
            assert names[other] not in a.text
            assert not [t for t in facts(other, key) if t in a.text and t not in own]


@pytest.mark.parametrize(
    "key, platform, says, never",
    [
        (
            "where_to_apply",
            "jd",
            ["查看所有订单", "我的订单", "我的投诉", "我要投诉", "我的客服", "交易纠纷"],
            ["已买到的宝贝"],
        ),
        (
            "where_to_apply",
            "taobao",
            ["已买到的宝贝", "退款被拒绝", "要求淘宝介入"],
            ["我的投诉", "我的客服"],
        ),
        ("conditions", "jd", ["36小时", "72小时"], ["3天"]),
        (
            "conditions",
            "taobao",
            ["虚拟商品", "3天", "再次拒绝", "不满意", "过程中"],
            ["36小时", "72小时", "才能要求"],
        ),
        ("processing_time", "jd", ["24小时", "排队"], ["4–6个工作日"]),
        (
            "processing_time",
            "taobao",
            ["3天举证期", "24小时", "4–6个工作日", "周末、节假日"],
            ["36小时"],
        ),
        ("evidence", "jd", ["4个小时", "9:00–18:00", "短信"], ["3天举证期"]),
        ("evidence", "taobao", ["聊天记录", "商品照片", "物流信息", "3天"], ["4个小时"]),
        ("impact_on_seller", "jd", ["积分", "业绩"], ["5笔", "30天"]),
        (
            "impact_on_seller",
            "taobao",
            ["5笔", "活动", "信誉评分", "交易纠纷"],
            ["积分和业绩", "30天"],
        ),
        (
            "impact_on_seller",
            "pdd",
            ["近30天", "介入率", "移除资源位", "禁止上新"],
            ["5笔", "积分"],
        ),
        (
            "after_intervention",
            "jd",
            ["锁定", "只能查看", "收货", "已解决", "说法不一"],
            ["4–6个工作日"],
        ),
        ("after_intervention", "taobao", ["3天举证期", "4–6个工作日", "旺旺"], ["锁定"]),
        ("vs_complaint", "taobao", ["举报", "警示", "判决", "不是淘宝的规定"], ["我的投诉"]),
        # The seed treats intervention and complaint as alternatives, never as "the same path".
        ("vs_complaint", "jd", ["两种", "或者去投诉"], ["警示", "同一条路"]),
        ("how_to_complain", "jd", ["我要投诉", "投诉电话"], ["淘宝"]),
        (
            "return_process",
            "taobao",
            ["申请退货", "系统会自动同意退货", "寄回", "验收", "异议", "不满意", "完好无损"],
            ["京东"],
        ),
        ("return_process", "jd", ["72小时", "换货"], ["淘宝", "自动同意"]),
    ],
)
def test_platform_answers_carry_that_platforms_paths_and_numbers(
    key: str, platform: str, says: list[str], never: list[str]
) -> None:
    text = faq.answer(key, platform).text
    assert [s for s in says if s not in text] == []
    assert [s for s in never if s in text] == []


def test_a_key_the_sources_do_not_cover_is_an_honest_unknown() -> None:
    a = faq.answer("where_to_apply", "tmall")
    assert not a.known
    assert "天猫" in a.text and "没有可靠的资料" in a.text
    assert a.buttons[0]["payload"] == "/request_human"
    assert "已买到的宝贝" not in a.text  # Taobao's path is not passed off as Tmall's


def test_a_gap_in_a_known_answer_is_said_aloud() -> None:
    a = faq.answer("processing_time", "jd")
    assert a.known and faq.platform_faq("jd")["faq"]["processing_time"]["gap"] in a.text


@pytest.mark.parametrize("key", KEYS)
def test_without_a_platform_the_answer_covers_each_platform_and_asks_which(key: str) -> None:
    a = faq.answer(key, None)
    names = platform_names()
    assert all(name in a.text for name in names.values())
    assert [b["title"] for b in a.buttons] == list(names.values())
    assert [b["payload"] for b in a.buttons] == [faq.faq_payload(key, p) for p in PLATFORMS]
    assert a.text.count("\n") <= len(PLATFORMS) + 2, "an overview stays one line per platform"


def test_answers_end_with_a_next_step() -> None:
    spec = faq.load_checked("faq/keys.yml", "faq-keys.schema.json")
    assert faq.answer("processing_time", "taobao").text.endswith(
        spec["keys"]["processing_time"]["next"]
    )
    assert faq.answer("processing_time", None).text.endswith(spec["templates"]["overview_ask"])


def test_faq_buttons_keep_the_platform() -> None:
    payloads = [b["payload"] for b in faq.answer("where_to_apply", "taobao").buttons]
    assert '/faq{"faq_key": "evidence", "platform": "taobao"}' in payloads
    assert "/request_intervention" in payloads


def test_domain_responses_are_generated_from_the_same_answers() -> None:
    responses = faq.domain_responses()
    assert set(responses) == {f"utter_faq/{k}" for k in KEYS}
    for key in KEYS:
        [response] = responses[f"utter_faq/{key}"]
        a = faq.answer(key, None)
        assert response == {"text": a.text, "buttons": a.buttons}
    yaml.safe_dump({"responses": responses}, allow_unicode=True)  # serialisable as a domain


def test_unknown_key_or_platform_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown FAQ key"):
        faq.answer("refund_speed", "jd")
    with pytest.raises(ValueError, match="unknown platform"):
        faq.answer("conditions", "amazon")


def test_the_answer_follows_an_edited_kb(kb_copy: Path) -> None:
    path = kb_copy / "faq" / "pdd.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["faq"]["processing_time"] = {
        "known": True,
        "facts": [
            {
                "id": "pdd.test_fact",
                "text": "测试用的事实。",
                "sources": [
                    {"seed": "taobao-intervention-vs-complaint.txt", "quote": "在拼多多平台中"}
                ],
            }
        ],
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    a = faq.answer("processing_time", "pdd")
    assert a.known and "测试用的事实。" in a.text
    assert a.sources == ["taobao-intervention-vs-complaint.txt"]
