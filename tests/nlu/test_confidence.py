import pytest

pytest.importorskip("rasa")
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from jieru.rasa.nlu.confidence import RetrievalConfidence  # noqa: E402

pytestmark = pytest.mark.rasa


def parsed(intent: str, confidence: float, selector: float | None) -> Message:
    ranking = [
        {"name": intent, "confidence": confidence},
        {"name": "report_refund_refused", "confidence": 0.2},
    ]
    data = {
        "text": "x",
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": ranking,
    }
    if selector is not None:
        data["response_selector"] = {
            "all_retrieval_intents": ["faq"],
            "faq": {"response": {"confidence": selector, "intent_response_key": "faq/evidence"}},
        }
    return Message(data=data)


def run(message: Message) -> Message:
    (out,) = RetrievalConfidence().process([message])
    return out


def test_a_weak_key_match_lowers_the_faq_confidence_below_the_next_intent() -> None:
    # The next intent DIET ranked becomes the message's; the fallback judges it (0.2).
    out = run(parsed("faq", 1.0, 0.15))
    assert out.get("intent") == {"name": "report_refund_refused", "confidence": 0.2}
    assert out.get("intent_ranking") == [
        {"name": "report_refund_refused", "confidence": 0.2},
        {"name": "faq", "confidence": 0.15},
    ]


def test_a_weak_key_match_above_every_other_intent_stays_the_faq() -> None:
    out = run(parsed("faq", 1.0, 0.25))
    assert out.get("intent") == {"name": "faq", "confidence": 0.25}
    assert out.get("intent_ranking")[0] == {"name": "faq", "confidence": 0.25}


def test_a_sure_key_match_keeps_the_faq_confident() -> None:
    assert run(parsed("faq", 0.9, 1.0)).get("intent") == {"name": "faq", "confidence": 0.9}


@pytest.mark.parametrize("selector", [None, 0.1])
def test_other_intents_are_untouched(selector: float | None) -> None:
    out = run(parsed("report_not_shipped", 0.8, selector))
    assert out.get("intent") == {"name": "report_not_shipped", "confidence": 0.8}
    assert out.get("intent_ranking")[0] == {"name": "report_not_shipped", "confidence": 0.8}
