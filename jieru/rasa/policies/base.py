"""What jieru's dialogue policies share: each predicts one configured action (or
``action_listen`` right after it) with certainty when its own test says so, abstains
inside any loop (a form's question decides there), and learns nothing."""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


class OneActionPolicy(Policy):
    """A policy that predicts ``config["action"]`` or ``action_listen`` with 1.0 when
    ``_choose`` names it, and all zeros otherwise. Subclasses register themselves with
    the recipe and give ``get_default_config`` (the action and the priority)."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.action: str = config["action"]

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn; the resource is written so that the model loads it."""
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """1.0 for the action ``_choose`` names (never inside a loop), else all zeros."""
        probabilities = self._default_predictions(domain)
        chosen = None if tracker.active_loop_name else self._choose(tracker)
        if chosen is not None:
            probabilities[domain.index_for_action(chosen)] = 1.0
        return self._prediction(probabilities)

    def _choose(self, tracker: DialogueStateTracker) -> str | None:
        """The action to predict for this tracker, or None to abstain."""
        raise NotImplementedError
