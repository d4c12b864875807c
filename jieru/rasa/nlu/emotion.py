"""Rasa graph component: how strongly negative the buyer's message is (kb/emotion.yml)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from jieru import emotion
from jieru.kb import load_yaml
from jieru.rasa.nlu.normalizer import TEXT_ORIGINAL


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmotionDetector(GraphComponent):
    """Puts ``jieru.emotion.assess`` of the buyer's words on the parse result under
    ``emotion`` (``jieru.emotion.PARSE_KEY``): level, score, cue groups and cue texts.

    The intent is left alone: the dialogue decides what a strong emotion changes
    (``jieru.rasa.policies.emotion.EmotionPolicy``), and the actions read the cues for the
    agent's summary. Button payloads ("/affirm") carry no emotion and get none.
    """

    def __init__(self, lexicon: emotion.Lexicon) -> None:
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmotionDetector:
        # The Rasa environment's jsonschema is too old for the schema check; the same
        # file is checked against kb/schema/emotion.schema.json by the unit tests.
        return cls(emotion.lexicon_from(load_yaml(emotion.EMOTION_FILE)))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            # The cues are written for the text as typed (assess normalises it itself).
            text = message.get(TEXT_ORIGINAL) or message.get(TEXT) or ""
            if text.lstrip().startswith("/"):
                continue
            found = emotion.assess(text, self._lexicon)
            message.set(emotion.PARSE_KEY, emotion.as_parse_data(found, text), add_to_output=True)
        return messages
