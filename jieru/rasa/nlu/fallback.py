"""Rasa graph component: no fallback between intents that lead to one step."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from jieru.kb import load_yaml

FAMILIES_KEY = "families"
FAMILY_THRESHOLD_KEY = "family_threshold"
ORDER_QUESTIONS_KEY = "order_questions"
# A family stands on a majority of the confidence.
FAMILY_THRESHOLD = 0.5
# The family an order question joins: the one that looks the order up.
REQUEST = "request_intervention"


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

    A FAQ reading whose key is one of ``order_questions`` ("faq/conditions": may I
    apply, and when) joins the family of ``request_intervention`` when the message names
    an order (a number, or kb/labels.yml's "那单", "这笔"…): "推车那单…能不能直接申请介入"
    gets the decision on that order either way, as a knowledge question about the
    buyer's own order or as a request.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults, and no families (the stock behaviour)."""
        return {
            **FallbackClassifier.get_default_config(),
            FAMILIES_KEY: [],
            FAMILY_THRESHOLD_KEY: FAMILY_THRESHOLD,
            ORDER_QUESTIONS_KEY: [],
        }

    def _family(self, intent: str | None, message: Message | None = None) -> int | None:
        """The index of the first family ``intent`` belongs to, if any; on ``message``,
        an order question (``order_questions``) belongs to the request's."""
        for index, members in enumerate(self.component_config.get(FAMILIES_KEY) or []):
            if intent and any(fnmatchcase(intent, pattern) for pattern in members):
                return index
        if message is not None and intent and self._is_order_question(intent, message):
            return self._family(REQUEST)
        return None

    def _is_order_question(self, intent: str, message: Message) -> bool:
        """Whether ``intent`` is a FAQ reading with a key of ``order_questions`` and the
        message names an order."""
        selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(intent) or {}
        key = (selector.get("response") or {}).get("intent_response_key")
        if key not in (self.component_config.get(ORDER_QUESTIONS_KEY) or []):
            return False
        if any(e.get(ENTITY_ATTRIBUTE_TYPE) == "order_id" for e in message.get(ENTITIES) or []):
            return True
        labels = load_yaml("labels.yml")
        words = {*labels["order_references"], *labels["current_order_references"]}
        text = message.get(TEXT) or ""
        return any(w in text for w in words)

    def _nlu_confidence_below_threshold(self, message: Message) -> tuple[bool, float]:
        below, confidence = super()._nlu_confidence_below_threshold(message)
        ranking = message.data.get(INTENT_RANKING_KEY) or []
        family = self._family(ranking[0].get(INTENT_NAME_KEY), message) if ranking else None
        if not below or family is None:
            return below, confidence
        mass = sum(
            r.get(PREDICTED_CONFIDENCE_KEY, 0.0)
            for r in ranking
            if self._family(r.get(INTENT_NAME_KEY), message) == family
        )
        # .get: a model trained before the key existed stands on the default.
        return mass < self.component_config.get(FAMILY_THRESHOLD_KEY, FAMILY_THRESHOLD), mass

    def _nlu_prediction_ambiguous(self, message: Message) -> tuple[bool, float | None]:
        ambiguous, difference = super()._nlu_prediction_ambiguous(message)
        if not ambiguous:
            return ambiguous, difference
        first, second = (r.get(INTENT_NAME_KEY) for r in message.data[INTENT_RANKING_KEY][:2])
        family = self._family(first, message)
        return family is None or family != self._family(second, message), difference
