"""Rasa's REST channel for local development, unable to pass itself off as the app channel."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic.request import Request


class LocalRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` as Rasa's ``rest`` channel, always recorded as ``rest``.

    Rasa's own RestInput takes the channel name from the body's ``input_channel``, so a
    caller could claim ``app`` and a ``jieru_buyer_id`` of their choosing; here it cannot.
    """

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()
