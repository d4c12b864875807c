"""The embedded default's tracker store (``endpoints.yml``): conversations kept in the
Rasa server's memory as event objects rather than as JSON text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, split_events
from rasa.shared.core.trackers import DialogueStateTracker


class InProcessTrackerStore(InMemoryTrackerStore):
    """Rasa's ``InMemoryTrackerStore`` without the JSON round trip on every message.

    Rasa's keeps each conversation as JSON and parses every event of it again on each
    retrieval, a third of the server's work per turn (bench/README.md). This one keeps
    the event objects and replays them into a fresh tracker on retrieval, exactly as
    Rasa's own ``DialogueStateTracker.copy`` does, so a retrieved tracker changes the
    stored conversation only through ``save``. Like Rasa's, it lives and dies with the
    process and serves one Rasa process; deployments with several use Redis
    (docker/endpoints.compose.yml).
    """

    def __init__(
        self, domain: Domain, event_broker: EventBroker | None = None, **kwargs: Any
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self._events: dict[str, tuple[Event, ...]] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Keep the tracker's events as the conversation's (and stream new ones)."""
        await self.stream_events(tracker)
        self._events[tracker.sender_id] = tuple(tracker.events)

    async def keys(self) -> Iterable[str]:
        """The conversation ids held."""
        return self._events.keys()

    async def _retrieve(
        self, sender_id: str, fetch_all_sessions: bool
    ) -> DialogueStateTracker | None:
        events = self._events.get(sender_id)
        if events is None:
            return None
        if not fetch_all_sessions:
            # As Rasa's: only the last session, from its action_session_start on. A
            # conversation saved before its first event (the REST API and the agents'
            # side can create one) has no session at all and is returned empty.
            sessions = split_events(
                list(events),
                ActionExecuted,
                {"action_name": ACTION_SESSION_START_NAME},
                include_splitting_event=True,
            )
            events = sessions[-1] if sessions else ()
        tracker = self.init_tracker(sender_id)
        tracker.events.extend(events)
        tracker.replay_events()
        return tracker
