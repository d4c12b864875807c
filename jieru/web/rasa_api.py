"""The web service telling the Rasa server about things that happened outside the chat.

Through ``jieru.services.rasa_client.trigger_intent``:
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

from jieru.services import rasa_client
from jieru.services.errors import RasaUnavailable

logger = logging.getLogger(__name__)

EVIDENCE_UPLOADED = "inform_evidence_uploaded"
ELIGIBILITY_OPENED = "eligibility_opened"


def conversation_of(buyer_id: str) -> str:
    """The conversation id of the buyer's chat on the authenticated channels."""
    return buyer_id


async def tell_evidence_uploaded(buyer_id: str, evidence_id: int) -> None:
    """Have the bot acknowledge an uploaded file in the buyer's conversation; a bot that
    cannot be reached is logged, not raised: the file is stored either way."""
    try:
        await rasa_client.trigger_intent(
            conversation_of(buyer_id), EVIDENCE_UPLOADED, {"evidence_id": str(evidence_id)}
        )
    except RasaUnavailable as exc:
        logger.warning("evidence %s stored, the bot was not told: %s", evidence_id, exc)
