"""Rasa graph component: a retrieval intent is only as sure as its response selector."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RetrievalConfidence(GraphComponent):
    """Scales a retrieval intent's confidence (``faq``) by its ResponseSelector's.

    DIET is often sure a message is *some* FAQ (1.00) while the selector is unsure
    *which* one; placed before ``FallbackClassifier``, this lets a weak key match fall
    back to the two-stage fallback instead of answering the wrong question. When the
    scaled FAQ falls below the intent DIET ranked next ("申请介入 2503…": faq 0.50 with
    an unsure key, request_intervention 0.47), that intent becomes the message's: the
    fallback then judges it, not a FAQ reading no key supports.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RetrievalConfidence:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._scale(message)
        return messages

    @staticmethod
    def _scale(message: Message) -> None:
        intent = message.get(INTENT) or {}
        selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        name = intent.get(INTENT_NAME_KEY)
        if name not in selectors.get("all_retrieval_intents", []):
            return
        selector = selectors.get(name) or selectors.get("default") or {}
        selector_confidence = selector.get("response", {}).get(PREDICTED_CONFIDENCE_KEY)
        if selector_confidence is None:
            return
        scaled = intent[PREDICTED_CONFIDENCE_KEY] * selector_confidence
        ranking = [
            {**r, PREDICTED_CONFIDENCE_KEY: scaled} if r.get(INTENT_NAME_KEY) == name else r
            for r in message.get(INTENT_RANKING_KEY) or []
        ]
        ranking.sort(key=lambda r: r[PREDICTED_CONFIDENCE_KEY], reverse=True)
        top = ranking[0] if ranking else {}
        if top.get(INTENT_NAME_KEY, name) != name and top[PREDICTED_CONFIDENCE_KEY] > scaled:
            intent = {
                INTENT_NAME_KEY: top[INTENT_NAME_KEY],
                PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
            }
        else:
            intent = {**intent, PREDICTED_CONFIDENCE_KEY: scaled}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
