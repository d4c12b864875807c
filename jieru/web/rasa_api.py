"""The web service telling the Rasa server about things that happened outside the chat.

``POST {JIERU_RASA_URL}/conversations/<conversation>/trigger_intent?output_channel=latest``
(Rasa's HTTP API, ``rasa run --enable-api``; ``?token=`` when ``RASA_AUTH_TOKEN`` is set)
with an intent only the web service sends and an entity naming the row it is about. The
action that handles it reads the row for the conversation's own buyer (never trusting the
entity alone: a buyer can type the same payload), so this call carries no data of its own.
``output_channel=latest`` sends the reply to the channel the buyer last wrote on: the
widget's socket when that is open; either way it stays in the conversation's tracker.

Conversations are keyed by the buyer id (the app and web channels take ``sub`` as the
sender id), so ``conversation_of`` is the one place that says so.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from jieru.config import settings

logger = logging.getLogger(__name__)

EVIDENCE_UPLOADED = "inform_evidence_uploaded"
ELIGIBILITY_OPENED = "eligibility_opened"
TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class BotUnreachable(RuntimeError):
    """The Rasa server did not take the event (not configured, down, or refused it)."""


def conversation_of(buyer_id: str) -> str:
    """The conversation id of the buyer's chat on the authenticated channels."""
    return buyer_id


async def trigger(conversation_id: str, intent: str, entities: dict[str, Any]) -> dict[str, Any]:
    """Make the bot handle ``intent`` in the conversation; returns Rasa's JSON reply."""
    s = settings()
    if not s.rasa_url:
        raise BotUnreachable("JIERU_RASA_URL is not set")
    params = {"output_channel": "latest"}
    if s.rasa_token:
        params["token"] = s.rasa_token
    url = (
        f"{s.rasa_url}/conversations/{httpx.URL(conversation_id).raw_path.decode()}/trigger_intent"
    )
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            reply = await client.post(
                url, params=params, json={"name": intent, "entities": entities}
            )
    except httpx.HTTPError as exc:
        raise BotUnreachable(f"{intent} for {conversation_id}: {exc}") from exc
    if reply.status_code != 200:
        raise BotUnreachable(
            f"{intent} for {conversation_id}: HTTP {reply.status_code} {reply.text[:200]}"
        )
    return reply.json()


async def tell_evidence_uploaded(buyer_id: str, evidence_id: int) -> None:
    """Have the bot acknowledge an uploaded file in the buyer's conversation; a bot that
    cannot be reached is logged, not raised: the file is stored either way."""
    try:
        await trigger(
            conversation_of(buyer_id), EVIDENCE_UPLOADED, {"evidence_id": str(evidence_id)}
        )
    except BotUnreachable as exc:
        logger.warning("evidence %s stored, the bot was not told: %s", evidence_id, exc)
