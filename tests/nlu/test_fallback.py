import pytest

pytest.importorskip("rasa")
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from jieru.rasa.nlu.fallback import FamilyFallbackClassifier  # noqa: E402

pytestmark = pytest.mark.rasa

FAMILIES = [["report_*", "request_intervention"]]


def classify(*ranked: tuple[str, float]) -> dict:
    """The intent the classifier leaves on a message ranked ``ranked``."""
    ranking = [{"name": n, "confidence": c} for n, c in ranked]
    message = Message(data={"text": "x", "intent": dict(ranking[0]), "intent_ranking": ranking})
    config = {**FamilyFallbackClassifier.get_default_config(), "families": FAMILIES}
    config |= {"threshold": 0.3, "ambiguity_threshold": 0.02}
    (out,) = FamilyFallbackClassifier(config).process([message])
    return out.get("intent")


@pytest.mark.parametrize(
    "second", ["report_refund_not_received", "request_intervention"], ids=["report", "request"]
)
def test_two_close_intents_of_one_family_keep_the_first(second: str) -> None:
    assert classify(("report_refund_refused", 0.45), (second, 0.44)) == {
        "name": "report_refund_refused",
        "confidence": 0.45,
    }


@pytest.mark.parametrize(
    "first,second",
    [
        (("report_refund_refused", 0.45), ("faq", 0.44)),
        (("faq", 0.45), ("report_refund_refused", 0.44)),
        (("request_aftersale", 0.45), ("report_refund_refused", 0.44)),
    ],
)
def test_two_close_intents_of_different_families_fall_back(first, second) -> None:
    assert classify(first, second) == {"name": "nlu_fallback", "confidence": 0.3}


def test_a_family_with_most_of_the_confidence_keeps_its_top_intent() -> None:
    ranked = [
        ("report_return_not_refunded", 0.2),
        ("report_exchange_not_reshipped", 0.18),
        ("faq", 0.1),
        ("report_refund_not_received", 0.12),
        ("request_intervention", 0.08),
    ]
    assert classify(*ranked) == {"name": "report_return_not_refunded", "confidence": 0.2}


def test_a_family_short_of_a_majority_still_falls_back() -> None:
    ranked = [("report_not_shipped", 0.21), ("faq", 0.19), ("request_intervention", 0.16)]
    assert classify(*ranked) == {"name": "nlu_fallback", "confidence": 0.3}


def test_a_low_confidence_outside_families_falls_back() -> None:
    assert classify(("faq", 0.2), ("greet", 0.19), ("thank", 0.18)) == {
        "name": "nlu_fallback",
        "confidence": 0.3,
    }


def test_without_families_it_is_rasas_classifier() -> None:
    config = {**FamilyFallbackClassifier.get_default_config(), "ambiguity_threshold": 0.02}
    ranking = [
        {"name": "report_refund_refused", "confidence": 0.45},
        {"name": "request_intervention", "confidence": 0.44},
    ]
    message = Message(data={"text": "x", "intent": dict(ranking[0]), "intent_ranking": ranking})
    (out,) = FamilyFallbackClassifier(config).process([message])
    assert out.get("intent")["name"] == "nlu_fallback"


def classify_question(text: str, key: str, entities: list[dict] | None = None) -> dict:
    """The intent left on ``text`` ranked request 0.295, faq (``key``) 0.287, report 0.152."""
    ranked = [("request_intervention", 0.295), ("faq", 0.287), ("report_refund_refused", 0.152)]
    ranking = [{"name": n, "confidence": c} for n, c in ranked]
    selector = {"faq": {"response": {"intent_response_key": key, "confidence": 0.95}}}
    message = Message(
        data={
            "text": text,
            "intent": dict(ranking[0]),
            "intent_ranking": ranking,
            "entities": entities or [],
            "response_selector": selector,
        }
    )
    config = {**FamilyFallbackClassifier.get_default_config(), "families": FAMILIES}
    config |= {"threshold": 0.3, "ambiguity_threshold": 0.02}
    config |= {"order_questions": ["faq/conditions", "faq/after_intervention"]}
    (out,) = FamilyFallbackClassifier(config).process([message])
    return out.get("intent")


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("推车那单刹车坏了 商家不理 能不能直接申请介入", None),
        ("订单250312345678什么时候能申请介入", [{"entity": "order_id", "value": "250312345678"}]),
    ],
)
def test_may_i_apply_about_a_named_order_stands_with_the_request(text, entities) -> None:
    assert classify_question(text, "faq/conditions", entities) == {
        "name": "request_intervention",
        "confidence": 0.295,
    }


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("卖家拒绝退款 什么时候能申请介入", "faq/conditions"),  # no order named
        ("推车那单 介入一般要多久", "faq/processing_time"),  # not an order question
    ],
)
def test_other_questions_close_to_a_request_still_fall_back(text, key) -> None:
    assert classify_question(text, key) == {"name": "nlu_fallback", "confidence": 0.3}
