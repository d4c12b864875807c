"""Rasa graph component that gives the classifiers what the lexicon knows."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from jieru.kb.lexicon import CANONICAL_VALUES, Lexicon, load_lexicon

# One column per entity and one per canonical value: "order_id", "platform",
# "platform:jd", ... Fixed by the NLU contract, so the width never changes.
COLUMNS = (
    "order_id",
    *(c for e, vs in CANONICAL_VALUES.items() for c in (e, *(f"{e}:{v}" for v in vs))),
)
_INDEX = {c: i for i, c in enumerate(COLUMNS)}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LexiconFeaturizer(SparseFeaturizer, GraphComponent):
    """Sparse features marking the tokens that are order numbers or lexicon entities.

    狗东, jd and 京东 then share a "platform" and a "platform:jd" feature, and a bare
    order number the classifier has never seen still reads as an order number.
    """

    def __init__(self, config: dict[str, Any], name: str, lexicon: Lexicon) -> None:
        super().__init__(name, config)
        self._lexicon = lexicon

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to configure beyond the featurizer alias."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LexiconFeaturizer:
        return cls(config, execution_context.node_name, load_lexicon())

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT], [])
            if not message.get(TEXT) or not tokens:
                continue
            sequence = np.zeros((len(tokens), len(COLUMNS)))
            for match in self._lexicon.find_all(message.get(TEXT)):
                # Order numbers have no value column: their value is the number itself.
                columns = [
                    i
                    for i in (_INDEX[match.entity], _INDEX.get(f"{match.entity}:{match.value}"))
                    if i is not None
                ]
                for row, token in enumerate(tokens):
                    if token.start < match.end and token.end > match.start:
                        sequence[row, columns] = 1.0
            sentence = sequence.max(axis=0, keepdims=True)
            self.add_features_to_message(
                scipy.sparse.coo_matrix(sequence), scipy.sparse.coo_matrix(sentence), TEXT, message
            )
        return messages
