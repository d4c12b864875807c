"""Rasa dialogue policy: a buyer in strong negative emotion goes to a human agent
before they ask (issue 15), whatever they asked."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from jieru import emotion
from jieru.rasa.policies.base import OneActionPolicy

# Above RulePolicy's 6 and FollowUpPolicy's 7: on a strong emotion this policy's 1.0
# wins over theirs.
PRIORITY = 8


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class EmotionPolicy(OneActionPolicy):
    """Predicts ``action`` (``action_handoff``) right after a buyer's message that
    ``jieru.rasa.nlu.emotion.EmotionDetector`` found strongly negative, and
    ``action_listen`` right after that action; abstains otherwise.

    It abstains inside a loop: in a form the bot is already filing the buyer's case (the
    angry words are usually the description it asks for) and the buyer can still ask for
    a person; in the two-stage fallback a second miss hands off anyway. It learns nothing.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The action it predicts and its priority."""
        return {"action": "action_handoff", "priority": PRIORITY}

    def _choose(self, tracker: DialogueStateTracker) -> str | None:
        # Whichever came last: the buyer's message (a turn to answer) or an action. Not
        # ``latest_action_name``: a conversation an agent handed back has the buyer's new
        # message right after the hand-off, with no action_listen between (Rasa logs none
        # while paused).
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return self.action if emotion.strong_in(event.parse_data) else None
            if isinstance(event, ActionExecuted):
                return ACTION_LISTEN_NAME if event.action_name == self.action else None
        return None
