"""Rasa dialogue policy: a message that only names a platform right after the bot
answered a question ("淘宝的呢") asks that question again for that platform (issue 12:
the previous turn decides, as AliMe uses the previous question)."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_EXTRACT_SLOTS, ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from jieru.kb.lexicon import follow_up_platform
from jieru.rasa.policies.base import OneActionPolicy

# Above RulePolicy's 6: the NLU reads such a message as anything (affirm, deny, the
# fallback), and the rule for that reading must not win; below EmotionPolicy's 8.
PRIORITY = 7


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class FollowUpPolicy(OneActionPolicy):
    """Predicts ``action`` (``action_answer_faq``) for a platform follow-up whose
    previous bot turn ran ``action``, and ``action_listen`` right after answering it;
    abstains otherwise, and inside any loop (a form's question decides there). It
    learns nothing."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The action it repeats and its priority."""
        return {"action": "action_answer_faq", "priority": PRIORITY}

    def _choose(self, tracker: DialogueStateTracker) -> str | None:
        # The events of the current turn and the one before, newest first: the buyer's
        # message, then the actions of the bot's previous turn.
        message: UserUttered | None = None
        answered = False
        for event in reversed(tracker.events):
            if isinstance(event, ActionExecuted):
                if event.action_name in (ACTION_LISTEN_NAME, ACTION_EXTRACT_SLOTS):
                    continue
                if message is None:
                    # An action already ran this turn: listen if it was the answer,
                    # and leave any other turn to the other policies.
                    if event.action_name != self.action:
                        return None
                    answered = True
                    continue
                return self.action if event.action_name == self.action else None
            if isinstance(event, UserUttered):
                if message is not None or follow_up_platform(event.text or "") is None:
                    return None
                if answered:
                    return ACTION_LISTEN_NAME
                message = event
        return None
