"""A message that only names a platform right after an answer ("淘宝的呢") asks the
same question for that platform: Lexicon.platform_follow_up recognises it, and
FollowUpPolicy predicts action_answer_faq from the bot's previous turn, above the rule
the NLU's reading of the message would trigger. Likewise a short reply to the decision
on an order ("那我该怎么办", "好吧那我等着"): Lexicon.decision_reply and
DecisionReplyPolicy."""

import pytest

pytest.importorskip("rasa")

from rasa.core.policies.rule_policy import RulePolicy  # noqa: E402
from rasa.engine.graph import ExecutionContext  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from jieru.config import PROJECT_ROOT  # noqa: E402
from jieru.kb.lexicon import decision_reply, follow_up_platform  # noqa: E402
from jieru.rasa.policies.emotion import EmotionPolicy  # noqa: E402
from jieru.rasa.policies.follow_up import DecisionReplyPolicy, FollowUpPolicy  # noqa: E402

pytestmark = pytest.mark.rasa


@pytest.mark.parametrize(
    "text, platform",
    [
        ("淘宝的呢", "taobao"),
        ("那拼多多呢？", "pdd"),
        ("京東呢", "jd"),
        ("那如果是天猫的话", "tmall"),
        ("咸鱼也一样吗", "xianyu"),
        ("拼夕夕呢😂", "pdd"),
        ("淘宝", "taobao"),
    ],
)
def test_a_message_that_only_names_a_platform_is_a_follow_up(text, platform):
    assert follow_up_platform(text) == platform


@pytest.mark.parametrize(
    "text",
    [
        "淘宝怎么申请介入",
        "淘宝和京东呢",
        "淘宝的退款呢",
        "多多少少呢",
        "好的呢",
        "",
        "250312345678呢",
    ],
)
def test_a_message_that_says_more_or_names_no_single_platform_is_not(text):
    assert follow_up_platform(text) is None


@pytest.fixture(scope="module")
def domain():
    return Domain.load(PROJECT_ROOT / "domain.yml")


def created(cls, tmp_path):
    """A policy of ``cls`` with its default config, as the model would load it."""
    return cls.create(
        cls.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource(cls.__name__),
        ExecutionContext(graph_schema=None, model_id="test"),
    )


@pytest.fixture
def policy(tmp_path):
    return created(FollowUpPolicy, tmp_path)


def message(text, intent="affirm"):
    return UserUttered(text, {"name": intent, "confidence": 0.5}, [])


def after_an_answer(*events, domain):
    """A conversation whose last bot turn answered a question, then ``events``."""
    return DialogueStateTracker.from_events(
        "b1",
        [
            ActionExecuted("action_listen"),
            UserUttered("介入和投诉有什么区别", {"name": "faq", "confidence": 0.99}, []),
            ActionExecuted("action_answer_faq"),
            SlotSet("faq_asked", {"key": "vs_complaint", "question": "介入和投诉有什么区别"}),
            ActionExecuted("action_listen"),
            *events,
        ],
        slots=domain.slots,
    )


def predicted(p, tracker, domain):
    prediction = p.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_a_follow_up_after_an_answer_is_answered_then_the_bot_listens(policy, domain):
    tracker = after_an_answer(
        message("淘宝的呢"), ActionExecuted("action_extract_slots"), domain=domain
    )
    assert predicted(policy, tracker, domain) == "action_answer_faq"
    tracker.update(ActionExecuted("action_answer_faq"))
    assert predicted(policy, tracker, domain) == "action_listen"
    # A second follow-up asks the same question for yet another platform.
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(message("那京东呢", "deny"))
    assert predicted(policy, tracker, domain) == "action_answer_faq"


def test_it_abstains_after_other_turns_other_messages_and_in_loops(policy, domain):
    assert (
        predicted(policy, after_an_answer(message("你好", "greet"), domain=domain), domain) is None
    )
    after_a_greeting = DialogueStateTracker.from_events(
        "b1",
        [
            ActionExecuted("action_listen"),
            UserUttered("你好", {"name": "greet", "confidence": 0.99}, []),
            ActionExecuted("utter_greet"),
            ActionExecuted("action_listen"),
            message("淘宝的呢"),
        ],
        slots=domain.slots,
    )
    assert predicted(policy, after_a_greeting, domain) is None
    in_form = after_an_answer(ActiveLoop("intervention_form"), message("淘宝的呢"), domain=domain)
    assert predicted(policy, in_form, domain) is None
    # Another action already answered this turn: not this policy's turn.
    handed = after_an_answer(message("淘宝的呢"), ActionExecuted("action_handoff"), domain=domain)
    assert predicted(policy, handed, domain) is None


def test_its_priority_is_between_the_rules_and_the_emotion_hand_off(policy):
    rules = RulePolicy.get_default_config()["priority"]
    assert rules < policy.priority < EmotionPolicy.get_default_config()["priority"]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("那我该怎么办", "next_step"),
        ("那還要等多久？", "next_step"),
        ("啥时候能申请啊", "next_step"),
        ("好吧那我等着", "waiting"),
        ("行，我再等等", "waiting"),
        ("ok 明早再说", "waiting"),
        # Asks what now and says it waits: the question wins.
        ("我等着，要等多久", "next_step"),
        # Insists on another filing of an order already in intervention: told again.
        ("我不管 再给我提一个新的", "next_step"),
        ("那退款怎么办", None),
        ("250312345678怎么办", None),
        ("淘宝的怎么办", None),
        ("我已经等了五天了卖家还是不理我到底怎么办才好", None),
        ("好的", None),
        ("", None),
    ],
)
def test_a_short_reply_to_a_decision_is_read_by_its_phrases(text, kind):
    assert decision_reply(text) == kind


@pytest.fixture
def decision_policy(tmp_path):
    return created(DecisionReplyPolicy, tmp_path)


def after_a_decision(*events, domain):
    """A conversation whose last bot turn decided on an order, then ``events``."""
    return DialogueStateTracker.from_events(
        "b1",
        [
            ActionExecuted("action_listen"),
            UserUttered("帮我申请介入 250355501234", {"name": "request_intervention"}, []),
            ActionExecuted("action_check_eligibility"),
            SlotSet("eligibility", "not_yet"),
            ActionExecuted("action_listen"),
            *events,
        ],
        slots=domain.slots,
    )


@pytest.mark.parametrize(
    "text, intent, reply",
    [
        ("那还要等多久", "faq", "action_check_eligibility"),
        ("那我该怎么办", "nlu_fallback", "action_check_eligibility"),
        ("好吧那我等着", "nlu_fallback", "utter_anything_else"),
    ],
)
def test_a_reply_to_a_decision_gets_its_kinds_action_then_the_bot_listens(
    decision_policy, domain, text, intent, reply
):
    tracker = after_a_decision(message(text, intent), domain=domain)
    assert predicted(decision_policy, tracker, domain) == reply
    tracker.update(ActionExecuted(reply))
    assert predicted(decision_policy, tracker, domain) == "action_listen"


def test_a_reply_after_another_turn_or_in_a_loop_is_left_to_the_rules(decision_policy, domain):
    after_an_faq = after_an_answer(message("那我该怎么办", "nlu_fallback"), domain=domain)
    assert predicted(decision_policy, after_an_faq, domain) is None
    longer = after_a_decision(
        message("我已经等了五天了卖家还是不理我到底怎么办才好"), domain=domain
    )
    assert predicted(decision_policy, longer, domain) is None
    in_form = after_a_decision(
        ActiveLoop("intervention_form"), message("那我该怎么办"), domain=domain
    )
    assert predicted(decision_policy, in_form, domain) is None
    other = after_a_decision(
        message("那我该怎么办"), ActionExecuted("action_handoff"), domain=domain
    )
    assert predicted(decision_policy, other, domain) is None
