"""The emotion trigger on the Rasa side: EmotionDetector puts the assessment on the
parse result, and EmotionPolicy predicts the hand-off from it, outside loops only, with
a priority above RulePolicy's so that its prediction wins a tie with a rule's."""

import pytest

pytest.importorskip("rasa")

from rasa.core.policies.rule_policy import RulePolicy  # noqa: E402
from rasa.engine.graph import ExecutionContext  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from jieru.config import PROJECT_ROOT  # noqa: E402
from jieru.rasa.nlu.emotion import EmotionDetector  # noqa: E402
from jieru.rasa.nlu.normalizer import ChineseNormalizer  # noqa: E402
from jieru.rasa.policies.emotion import EmotionPolicy  # noqa: E402

pytestmark = pytest.mark.rasa

ANGRY = "氣死我了，等了二十天還沒發貨！！！"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(PROJECT_ROOT / "domain.yml")


@pytest.fixture
def context():
    return ExecutionContext(graph_schema=None, model_id="test")


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def parsed(text, storage, context):
    normalizer = ChineseNormalizer.create({}, storage, Resource("n"), context)
    detector = EmotionDetector.create({}, storage, Resource("d"), context)
    return detector.process(normalizer.process([Message.build(text=text)]))[0]


def test_the_detector_puts_the_cues_as_typed_on_the_parse_result(storage, context):
    out = parsed(ANGRY, storage, context).as_dict(only_output_properties=True)
    assert out["emotion"]["level"] == "strong"
    assert out["emotion"]["cues"] == ["氣死", "還沒發", "！！！"]
    assert out["emotion"]["groups"] == ["fury", "emphasis", "frustration"]


def test_calm_words_and_button_payloads(storage, context):
    calm = parsed("卖家拒绝退款了，怎么申请介入？", storage, context)
    assert calm.get("emotion")["level"] == "none"
    assert parsed("/request_human", storage, context).get("emotion") is None


def tracker_after(level, *events, domain):
    """A tracker whose latest message the detector found ``level``, after ``events``."""
    parse = {"intent": {"name": "report_not_shipped", "confidence": 0.9}, "entities": []}
    parse["emotion"] = {"level": level, "score": 1.4, "groups": [], "cues": []}
    return DialogueStateTracker.from_events(
        "b1",
        [
            ActionExecuted("action_listen"),
            *events,
            UserUttered("……", parse["intent"], [], parse),
        ],
        slots=domain.slots,
    )


def policy(storage, context):
    config = {**EmotionPolicy.get_default_config()}
    return EmotionPolicy.create(config, storage, Resource("emotion"), context)


def predicted(p, tracker, domain):
    prediction = p.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_strong_emotion_predicts_the_handoff_then_listening(domain, storage, context):
    p = policy(storage, context)
    tracker = tracker_after("strong", domain=domain)
    assert predicted(p, tracker, domain) == "action_handoff"
    tracker.update(ActionExecuted("action_handoff"))
    assert predicted(p, tracker, domain) == "action_listen"
    assert p.priority > RulePolicy.get_default_config()["priority"]


def test_mild_or_no_emotion_and_any_loop_abstain(domain, storage, context):
    p = policy(storage, context)
    assert predicted(p, tracker_after("mild", domain=domain), domain) is None
    assert predicted(p, tracker_after("none", domain=domain), domain) is None
    for loop in ("intervention_form", "action_two_stage_fallback"):
        tracker = tracker_after("strong", ActiveLoop(loop), domain=domain)
        assert predicted(p, tracker, domain) is None, loop


def test_a_conversation_handed_back_answers_the_next_message(domain, storage, context):
    # Paused after the hand-off, Rasa logs no action_listen: the buyer's next message
    # follows action_handoff directly once an agent resumes the conversation.
    p = policy(storage, context)
    calm = {"intent": {"name": "greet", "confidence": 1.0}, "entities": []}
    calm["emotion"] = {"level": "none", "score": 0.0, "groups": [], "cues": []}
    tracker = tracker_after("strong", domain=domain)
    tracker.update(ActionExecuted("action_handoff"))
    tracker.update(UserUttered("你好", calm["intent"], [], calm))
    assert predicted(p, tracker, domain) is None
    tracker.update(
        UserUttered("气死了", calm["intent"], [], {**calm, "emotion": {"level": "strong"}})
    )
    assert predicted(p, tracker, domain) == "action_handoff"


def test_the_policy_trains_and_loads(domain, storage, context):
    p = policy(storage, context)
    resource = p.train([], domain)
    loaded = EmotionPolicy.load(EmotionPolicy.get_default_config(), storage, resource, context)
    assert predicted(loaded, tracker_after("strong", domain=domain), domain) == "action_handoff"
