"""Rasa graph component: no fallback between intents that lead to one step."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import (
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

FAMILIES_KEY = "families"
FAMILY_THRESHOLD_KEY = "family_threshold"
# A family stands on a majority of the confidence.
FAMILY_THRESHOLD = 0.5


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FamilyFallbackClassifier(FallbackClassifier):
    """Rasa's ``FallbackClassifier``, except that two top intents of one family are
    never ambiguous, and the confidence held against the threshold is the family's.

    A family (``families``: lists of intent names or ``fnmatch`` patterns) is a set of
    intents the bot answers with the same next step: every report of a problem and a
    request to file look up the buyer's order, whose state decides what the bot says.
    Asking "did you mean A or B?" between two of them only costs the buyer a turn (and
    the order number the message held). For the same reason a top intent below the
    threshold stands when its family holds at least ``family_threshold`` of the
    confidence: a long report that spreads it over four kinds of problem (0.20, 0.18,
    0.12, 0.08) is still surely a report. A family short of that still falls back.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults, and no families (the stock behaviour)."""
        return {
            **FallbackClassifier.get_default_config(),
            FAMILIES_KEY: [],
            FAMILY_THRESHOLD_KEY: FAMILY_THRESHOLD,
        }

    def _family(self, intent: str | None) -> int | None:
        """The index of the first family ``intent`` belongs to, if any."""
        for index, members in enumerate(self.component_config.get(FAMILIES_KEY) or []):
            if intent and any(fnmatchcase(intent, pattern) for pattern in members):
                return index
        return None

    def _nlu_confidence_below_threshold(self, message: Message) -> tuple[bool, float]:
        below, confidence = super()._nlu_confidence_below_threshold(message)
        ranking = message.data.get(INTENT_RANKING_KEY) or []
        family = self._family(ranking[0].get(INTENT_NAME_KEY)) if ranking else None
        if not below or family is None:
            return below, confidence
        mass = sum(
            r.get(PREDICTED_CONFIDENCE_KEY, 0.0)
            for r in ranking
            if self._family(r.get(INTENT_NAME_KEY)) == family
        )
        # .get: a model trained before the key existed stands on the default.
        return mass < self.component_config.get(FAMILY_THRESHOLD_KEY, FAMILY_THRESHOLD), mass

    def _nlu_prediction_ambiguous(self, message: Message) -> tuple[bool, float | None]:
        ambiguous, difference = super()._nlu_prediction_ambiguous(message)
        if not ambiguous:
            return ambiguous, difference
        first, second = (r.get(INTENT_NAME_KEY) for r in message.data[INTENT_RANKING_KEY][:2])
        family = self._family(first)
        return family is None or family != self._family(second), difference
