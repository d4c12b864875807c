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
