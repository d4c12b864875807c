"""Who the buyer of a conversation is, as the action server sees it; no Rasa import."""

from __future__ import annotations

from typing import Any

from jieru.auth import valid_buyer_id

APP_CHANNEL = "app"
# The web widget's socket.io channel (jieru.rasa.channels.socketio), as authenticated.
WEB_CHANNEL = "web"
AUTHENTICATED_CHANNELS = (APP_CHANNEL, WEB_CHANNEL)
# Set by the app channel from the verified token, overwriting whatever the client sent.
BUYER_METADATA_KEY = "jieru_buyer_id"
# On a bot event a human agent wrote (jieru.services.rasa_client.agent_says): who.
AGENT_METADATA_KEY = "jieru_agent"


def buyer_from_tracker_metadata(
    latest_message: dict[str, Any] | None,
    input_channel: str | None,
    dev_buyer: str | None,
) -> str | None:
    """The buyer a message speaks for, or None when no buyer is known.

    On the authenticated channels (``app``, ``web``): the buyer the channel took from the
    verified token, never the development buyer. On any other channel (shell, local
    REST): ``dev_buyer``.
    """
    if input_channel not in AUTHENTICATED_CHANNELS:
        return dev_buyer
    metadata = (latest_message or {}).get("metadata")
    buyer = metadata.get(BUYER_METADATA_KEY) if isinstance(metadata, dict) else None
    return buyer if valid_buyer_id(buyer) else None
