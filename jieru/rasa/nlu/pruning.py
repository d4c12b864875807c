"""Rasa graph components that drop what the pipeline's classifiers never read.

DIET and the ResponseSelector in bot/config.yml have no transformer layers and
recognise no entities: a message's label is read from its sentence features alone
(the sentence vector sits at the end of the token sequence, and with no transformer
no position sees another). The token-level features of the big sparse featurizers and
the answer texts Rasa attaches to FAQ examples only cost time in training and parsing.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE, RESPONSE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FEATURIZERS_KEY = "featurizers"


class _Pruner(GraphComponent):
    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _Pruner:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        return messages


# Registered as a tokenizer so that the recipe runs it on the training data, before the
# tokenizer (only tokenizers and featurizers are run on it).
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ResponseTextPruner(_Pruner):
    """Drops the answer text Rasa attaches to every FAQ example (``response``): the
    ResponseSelector learns keys (``faq/evidence``), not answers (``use_text_as_label``
    is off), and tokenising and featurising kb/'s long answers took a third of the time
    before DIET trained. The answers themselves stay in the training data's responses."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            example.data.pop(RESPONSE, None)
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TokenFeaturePruner(_Pruner):
    """Drops the token-level (sequence) features of the featurizers named in
    ``featurizers`` (their aliases), keeping their sentence features.

    Rasa's classifiers need some sequence features, so at least one featurizer must
    keep them (bot/config.yml keeps the lexicon's, a few columns wide)."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._pruned = frozenset(config.get(FEATURIZERS_KEY) or [])

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {FEATURIZERS_KEY: []}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            message.features = [
                f
                for f in message.features
                if not (f.type == FEATURE_TYPE_SEQUENCE and f.origin in self._pruned)
            ]
        return messages
