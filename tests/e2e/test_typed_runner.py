"""The typed suite's judge (tests/e2e/typed/runner.py), without servers: how it tells a
fallback from an answer, what counts as the buyer's own words, and its verdicts on
made-up outcomes."""

from __future__ import annotations

import yaml

from jieru.config import PROJECT_ROOT
from tests.e2e.typed.runner import (
    Conversation,
    Exchange,
    FiledExpectation,
    FiledRow,
    Result,
    State,
    Turn,
    description_given,
    evidence_given,
    judge,
    response_name,
)

NUMBER = "JR20261120123456"
EMPTY = State({}, {}, {})


def domain_text(name: str) -> str:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return str(domain["responses"][name][0]["text"])


def test_fallback_and_handoff_replies_are_recognised_by_their_domain_text() -> None:
    assert response_name(domain_text("utter_default")) == "utter_default"
    assert response_name(domain_text("utter_ask_rephrase")) == "utter_ask_rephrase"
    handoff = domain_text("utter_handoff").format(handoff_id=7, summary="问题：卖家拒绝退款")
    assert response_name(handoff) == "utter_handoff"
    assert response_name(domain_text("utter_greet")) is None


def test_the_buyers_words_are_folded_before_comparing() -> None:
    given = ["耳機左耳沒聲音，商家說是人為損壞"]
    assert description_given("耳机左耳没声音，商家说是人为损坏", given)
    assert not description_given("查一下我的介入进度", given)
    assert evidence_given("聊天记录", ["有聊天記錄"])
    assert not evidence_given("商品照片", ["有聊天记录"])
    assert evidence_given("卖家承认了", ["卖家承认了"])


def conversation(**kwargs) -> Conversation:
    turns = (
        Turn("左耳没声音，商家说是人为损坏", gives=frozenset({"description"})),
        Turn("有聊天记录", gives=frozenset({"evidence"})),
        Turn("确认", expect=(("介入单号",),)),
    )
    return Conversation(id="c", buyer="b1001", goal="filed", turns=turns, **kwargs)


def played(c: Conversation, replies: list[str]) -> Result:
    result = Result(c)
    result.exchanges = [
        Exchange(t.text, [{"text": r}]) for t, r in zip(c.turns, replies, strict=True)
    ]
    return result


def filed(description: str, evidence: tuple[tuple[str, str], ...]) -> State:
    row = FiledRow(NUMBER, "250312345678", "report_refund_refused", description, evidence)
    return State({NUMBER: row}, {}, {})


EXPECT = FiledExpectation("250312345678", (("人为损坏",),), (), ("chat_record",))
REPLIES = ["凭证？", "请确认", f"已为您提交平台介入申请，介入单号 {NUMBER}。"]


def test_a_filing_as_asked_is_contained() -> None:
    result = played(conversation(filed=EXPECT), REPLIES)
    judge(result, EMPTY, filed("左耳没声音，商家说是人为损坏", (("chat_record", "聊天记录"),)))
    assert result.failures == [] and result.contained


def test_a_description_the_buyer_did_not_give_is_counted() -> None:
    result = played(conversation(filed=EXPECT), REPLIES)
    judge(result, EMPTY, filed("查一下我的介入进度", (("photo", "商品照片"),)))
    assert result.not_given == ["description '查一下我的介入进度'", "evidence '商品照片'"]
    assert not result.contained


def test_filing_when_nothing_should_be_filed_fails() -> None:
    c = Conversation(id="c", buyer="b1001", goal="nothing_filed", turns=(Turn("算了"),))
    result = played(c, ["好的，已取消"])
    judge(result, EMPTY, filed("x", ()))
    assert result.failures[0].startswith(f"filed {NUMBER} on 250312345678")


def test_an_unallowed_fallback_is_not_contained_even_when_the_goal_is_reached() -> None:
    c = Conversation(id="c", buyer="b1001", goal="nothing_filed", turns=(Turn("？？"),))
    result = played(c, [domain_text("utter_ask_rephrase")])
    judge(result, EMPTY, EMPTY)
    assert result.goal_reached and result.fallbacks == [(1, "utter_ask_rephrase")]
    assert not result.contained
    allowed = Conversation(
        id="c", buyer="b1001", goal="nothing_filed", turns=(Turn("？？", fallback_ok=True),)
    )
    result = played(allowed, [domain_text("utter_ask_rephrase")])
    judge(result, EMPTY, EMPTY)
    assert result.contained
