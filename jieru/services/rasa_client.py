"""The Rasa server's HTTP API, as the agent side and the web service use it: pause and
resume the bot, put an agent's words into the conversation, read the transcript back,
trigger an intent (the web service telling the bot about an upload or a due reminder).

Every message of both sides lives in the one Rasa tracker: the buyer's as ``user``
events (Rasa logs them even while the conversation is paused), the bot's and the
agents' as ``bot`` events; an agent's carry ``metadata.jieru_agent``.

Never call this from inside a custom action: Rasa holds the conversation's lock while
an action runs, and ``POST /conversations/{id}/tracker/events`` waits for that lock. An
action pauses the conversation by returning ``ConversationPaused()`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx

from jieru.config import settings
from jieru.identity import AGENT_METADATA_KEY
from jieru.services.errors import RasaUnavailable

# Rasa's event names (rasa.shared.core.events ``type_name``).
PAUSE, RESUME, SLOT, BOT, USER, ACTION = "pause", "resume", "slot", "bot", "user", "action"
LISTEN = "action_listen"
HANDBACK_KEY = "jieru_handback"  # BotUttered metadata: the bot's message on resuming
TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass(frozen=True)
class Line:
    """One message of the transcript: ``who`` is buyer, bot or agent."""

    who: str
    text: str
    at: datetime
    agent: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"who": self.who, "text": self.text, "at": self.at.isoformat(), "agent": self.agent}


def _url(conversation_id: str, path: str) -> str:
    return f"{settings().rasa_url}/conversations/{quote(conversation_id, safe='')}/{path}"


def _params(**extra: str) -> dict[str, str]:
    token = settings().rasa_token
    return {**({"token": token} if token else {}), **extra}


def _request(method: str, url: str, **kwargs: Any) -> Any:
    try:
        response = httpx.request(method, url, timeout=TIMEOUT, **kwargs)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RasaUnavailable(f"{method} {url.split('?')[0]}: {exc}") from exc
    return response.json()


def append(
    conversation_id: str, events: list[dict[str, Any]], *, deliver: bool = False
) -> dict[str, Any]:
    """Append ``events`` to the conversation's tracker; the tracker Rasa returns.

    ``deliver``: Rasa also runs their side effects, so ``bot`` events are sent to the
    buyer through the conversation's latest input channel (live in the socket.io widget;
    the app channel reads them from ``GET /api/buyer/messages``).
    """
    params = _params(
        **({"execute_side_effects": "true", "output_channel": "latest"} if deliver else {})
    )
    return _request("POST", _url(conversation_id, "tracker/events"), params=params, json=events)


def pause(conversation_id: str) -> None:
    """Stop the bot from answering: Rasa still logs the buyer's messages."""
    append(conversation_id, [{"event": PAUSE}])


def agent_says(conversation_id: str, *, agent: str, text: str) -> None:
    """Send an agent's message to the buyer and keep it in the tracker, tagged as theirs."""
    append(
        conversation_id,
        [{"event": BOT, "text": text, "metadata": {AGENT_METADATA_KEY: agent}}],
        deliver=True,
    )


def resume(conversation_id: str, *, slots: dict[str, Any], text: str) -> None:
    """Hand the conversation back to the bot: resume it, set what the agent set, and
    have the bot say ``text`` to the buyer."""
    events: list[dict[str, Any]] = [{"event": RESUME}]
    events += [{"event": SLOT, "name": name, "value": value} for name, value in slots.items()]
    events.append({"event": BOT, "text": text, "metadata": {HANDBACK_KEY: True}})
    # The turn ends listening, as every turn of the bot's does: while paused Rasa logged
    # no action_listen after the hand-off, and without one no rule would match the
    # buyer's next message (it would get the fallback).
    events.append({"event": ACTION, "name": LISTEN})
    append(conversation_id, events, deliver=True)


def tracker(conversation_id: str) -> dict[str, Any]:
    """The conversation's tracker with every event since it began."""
    return _request("GET", _url(conversation_id, "tracker"), params=_params(include_events="ALL"))


async def trigger_intent(
    conversation_id: str, intent: str, entities: dict[str, Any]
) -> dict[str, Any]:
    """Make the bot handle ``intent`` with ``entities`` in the conversation, its reply sent
    to the channel the buyer last wrote on; Rasa's JSON reply. ``RasaUnavailable`` when no
    Rasa server is configured, or it cannot be reached or refuses."""
    if not settings().rasa_url:
        raise RasaUnavailable("JIERU_RASA_URL is not set")
    url = _url(conversation_id, "trigger_intent")
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(
                url,
                params=_params(output_channel="latest"),
                json={"name": intent, "entities": entities},
            )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RasaUnavailable(f"{intent} for {conversation_id}: {exc}") from exc
    return response.json()


def transcript(events: list[dict[str, Any]]) -> list[Line]:
    """The messages of both sides among a tracker's events, in order (commands such as
    ``/affirm`` sent by buttons are kept: the buyer did choose them)."""
    lines = []
    for event in events:
        kind, text = event.get("event"), event.get("text")
        if kind not in (USER, BOT) or not text:
            continue
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        agent = (event.get("metadata") or {}).get(AGENT_METADATA_KEY) if kind == BOT else None
        who = "buyer" if kind == USER else ("agent" if agent else "bot")
        lines.append(Line(who=who, text=text, at=at, agent=agent))
    return lines
