"""Rasa graph component that normalises Chinese text before the tokenizer sees it."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from jieru.text import normalize

TEXT_ORIGINAL = "text_original"


# Registered as a tokenizer-stage component (it is no Tokenizer subclass) so that the
# recipe runs it, in config order, on training data and on every parsed message.
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ChineseNormalizer(GraphComponent):
    """Traditional -> simplified (OpenCC t2s), full-width -> half-width, Latin lower-cased.

    The message's ``text`` becomes the normalised text, of the same length as the
    original, which is kept (and returned by /model/parse) as ``text_original``.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseNormalizer:
        return cls()

    @staticmethod
    def required_packages() -> list[str]:
        return ["opencc"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and message.get(TEXT_ORIGINAL) is None:
                message.set(TEXT_ORIGINAL, text, add_to_output=True)
                message.set(TEXT, normalize(text))
        return messages
