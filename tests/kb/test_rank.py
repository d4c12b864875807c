"""Answering the question asked: the facts of a key ranked against the buyer's words."""

from __future__ import annotations

import pytest

from jieru.kb import faq

IGNORE = faq.load_checked("faq/keys.yml", "faq-keys.schema.json")["ignore_words"] + ["淘宝", "京东"]


def facts(platform: str, key: str) -> list[dict]:
    return faq.platform_faq(platform)["faq"][key]["facts"]


@pytest.mark.parametrize(
    "question, platform, key, first",
    [
        # The question of issue 11: it used to get five facts about the evidence period.
        ("申请淘宝介入后还能和卖家协商吗", "taobao", "after_intervention", "taobao.online_talk"),
        ("淘宝介入一般几天出结果", "taobao", "processing_time", "taobao.review_4_6"),
        ("虚拟商品退款被拒多久能介入", "taobao", "conditions", "taobao.virtual_3d"),
        ("退货寄回去了卖家不退款，我不满意能介入吗", "taobao", "conditions", "taobao.dissatisfied"),
        ("京東自營的能申請介入嗎", "jd", "conditions", "jd.self_operated_reading"),  # traditional
        ("京东换货寄回去商家一直不发", "jd", "conditions", "jd.exchange_72h"),
        ("京东介入后商家还能操作吗", "jd", "after_intervention", "jd.locked"),
        ("京东和商家谈好了怎么撤销纠纷", "jd", "after_intervention", "jd.resolved"),
        ("卖家一直不确认退货怎么办", "taobao", "return_process", "taobao.rp_confirm"),
        # A keyword that holds an ignored word (怎么申请) still counts, in traditional too.
        ("淘寶怎麼申請小二介入，要點哪個頁面", "taobao", "where_to_apply", "taobao.path"),
        # 长时间 inside 多长时间 is the buyer asking "how long", not "for a long time".
        ("京东要等多长时间才能申请介入", "jd", "conditions", "jd.window_36h"),
        ("京东退款多长时间没到账可以介入", "jd", "conditions", "jd.refund_long"),
    ],
)
def test_the_fact_that_answers_comes_first(question, platform, key, first) -> None:
    shown, rest = faq.rank_facts(question, facts(platform, key), ignore=IGNORE)
    assert shown[0]["id"] == first
    assert len(shown) <= 3 and rest
    assert {f["id"] for f in shown}.isdisjoint(f["id"] for f in rest)
    assert len(shown) + len(rest) == len(facts(platform, key))


def test_a_keyword_inside_a_longer_keywords_match_does_not_count() -> None:
    assert faq._keyword_matches("要等多长时间", {"长时间", "多长时间", "等"}) == {"多长时间", "等"}
    assert faq._keyword_matches("长时间没到账 要等多长时间", {"长时间", "多长时间"}) == {
        "长时间",
        "多长时间",
    }


def test_a_question_naming_only_the_topic_gets_the_headline_facts() -> None:
    shown, _ = faq.rank_facts("？？？", facts("taobao", "processing_time"))
    assert [f["id"] for f in shown] == [
        f["id"] for f in facts("taobao", "processing_time") if f.get("overview")
    ]


def test_words_every_fact_shares_do_not_decide() -> None:
    # "淘宝" and "介入" are in nearly every question: alone they point at no fact.
    assert max(faq.fact_scores("淘宝介入", facts("taobao", "after_intervention"), IGNORE)) == 0
    assert max(faq.fact_scores("淘宝介入", facts("taobao", "after_intervention"))) > 0


def test_the_answer_says_the_picked_facts_and_offers_the_rest() -> None:
    a = faq.answer("after_intervention", "taobao", "申请淘宝介入后还能和卖家协商吗")
    assert a.shown[0] == "taobao.online_talk" and a.more
    assert "在线沟通" in a.text and "3天举证期" not in a.text
    assert f"还有 {len(a.more)} 条" in a.text
    assert a.buttons[0] == {
        "title": "看全部",
        "payload": faq.faq_payload("after_intervention", "taobao"),
    }


@pytest.mark.parametrize(
    "question", [None, "", '/faq{"faq_key": "after_intervention", "platform": "taobao"}']
)
def test_without_a_question_or_from_a_button_every_fact_is_said(question) -> None:
    a = faq.answer("after_intervention", "taobao", question)
    assert list(a.shown) == [f["id"] for f in facts("taobao", "after_intervention")]
    assert not a.more and "看全部" not in [b["title"] for b in a.buttons]


def test_an_unknown_key_stays_an_honest_unknown_whatever_the_question() -> None:
    a = faq.answer("conditions", "tmall", "天猫退款被拒能介入吗")
    assert not a.known and a.buttons[0]["payload"] == "/request_human"


def test_a_gap_is_said_even_when_facts_are_held_back() -> None:
    a = faq.answer("processing_time", "jd", "京东介入几天出结果")
    assert a.more and faq.platform_faq("jd")["faq"]["processing_time"]["gap"] in a.text


def test_bad_input_gets_an_answer() -> None:
    for question in ["😀" * 50, "x" * 5000, "'; DROP TABLE orders; --", "   "]:
        a = faq.answer("evidence", "jd", question)
        assert a.known and a.shown


@pytest.mark.parametrize(
    "question", ["淘宝退货的流程是什么样", "淘寶退貨步驟", "退货退款整个怎么走"]
)
def test_a_question_about_the_whole_process_gets_every_step_in_order(question) -> None:
    a = faq.answer("return_process", "taobao", question)
    steps = sorted(
        (f for f in facts("taobao", "return_process") if "step" in f), key=lambda f: f["step"]
    )
    assert list(a.shown) == [f["id"] for f in steps] and len(steps) == 4
    assert [line[:5] for line in a.text.splitlines()[1:5]] == [f"· 第{n}步" for n in range(1, 5)]
    assert a.more  # the notes beside the steps stay one click away


def test_a_question_about_one_step_still_gets_that_step() -> None:
    # No whole-process word: ranked as before.
    a = faq.answer("return_process", "taobao", "卖家一直不确认退货怎么办")
    assert a.shown[0] == "taobao.rp_confirm" and len(a.shown) < 4
