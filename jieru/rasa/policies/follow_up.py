"""Rasa dialogue policies for follow-ups, where the bot's previous turn decides what a
short message means whatever the NLU made of it (issue 12: as AliMe uses the previous
question; issue 13: a buyer answers the bot's decision in their own words):

- ``FollowUpPolicy``: a message that only names a platform right after an answer
  ("淘宝的呢") asks that question again for that platform;
- ``DecisionReplyPolicy``: "那我该怎么办" / "那还要等多久" right after the decision on an
  order asks for it again, and "好吧那我等着" accepts it."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_EXTRACT_SLOTS, ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from jieru.kb.lexicon import decision_reply, follow_up_platform
from jieru.rasa.policies.base import OneActionPolicy

# Above RulePolicy's 6: the NLU reads such a message as anything (affirm, deny, the
# fallback), and the rule for that reading must not win; below EmotionPolicy's 8.
PRIORITY = 7


class PreviousTurnPolicy(OneActionPolicy):
    """Predicts ``_reply(text)`` for the buyer's message when the bot's previous turn ran
    ``after``, and ``action_listen`` once that reply has run; abstains otherwise, and
    inside any loop (a form's question decides there). It learns nothing."""

    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.after: str = config["after"]

    def _reply(self, text: str) -> str | None:
        """The action that answers ``text`` after ``after``, or None."""
        raise NotImplementedError

    def _choose(self, tracker: DialogueStateTracker) -> str | None:
        # The events of the current turn and the one before, newest first: the action
        # already run this turn (if any), the buyer's message, then the previous turn's.
        ran: str | None = None
        message: UserUttered | None = None
        for event in reversed(tracker.events):
            if isinstance(event, ActionExecuted):
                if event.action_name in (ACTION_LISTEN_NAME, ACTION_EXTRACT_SLOTS):
                    continue
                if message is None:
                    if ran is not None:
                        return None
                    ran = event.action_name
                    continue
                if event.action_name != self.after:
                    return None
                reply = self._reply(message.text or "")
                if ran is None or reply is None:
                    return reply
                # Once the reply has run the bot listens; any other action this turn
                # leaves the turn to the other policies.
                return ACTION_LISTEN_NAME if ran == reply else None
            if isinstance(event, UserUttered):
                if message is not None:
                    return None
                message = event
        return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class FollowUpPolicy(PreviousTurnPolicy):
    """After ``action_answer_faq``, a message that only names a platform
    (``follow_up_platform``) gets ``action_answer_faq`` again."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The action it repeats, after itself, and its priority."""
        return {"action": "action_answer_faq", "after": "action_answer_faq", "priority": PRIORITY}

    def _reply(self, text: str) -> str | None:
        return self.action if follow_up_platform(text) else None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class DecisionReplyPolicy(PreviousTurnPolicy):
    """After ``action_check_eligibility``, a short reply of a kind of kb/lexicon.yml
    ``decision_replies`` (``decision_reply``) gets that kind's action of ``replies``:
    ``next_step`` says the decision on the conversation's order again (what to do now,
    and when), ``waiting`` acknowledges it."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The previous action, the action for each kind of reply, and its priority."""
        return {
            "action": "action_check_eligibility",
            "after": "action_check_eligibility",
            "replies": {"next_step": "action_check_eligibility", "waiting": "utter_anything_else"},
            "priority": PRIORITY,
        }

    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.replies: dict[str, str] = dict(config["replies"])

    def _reply(self, text: str) -> str | None:
        kind = decision_reply(text)
        return self.replies.get(kind) if kind else None
