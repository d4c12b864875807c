"""The in-app channel: Rasa's REST channel behind a buyer's JWT (CONTRACT.md §3).

``POST /webhooks/app/webhook`` with ``Authorization: Bearer <token>`` and
``{"message": "<text>", "metadata": {...}}``; replies with the JSON array of bot
messages that Rasa's ``rest`` channel returns. The conversation is the token's buyer's:
sender id and ``metadata["jieru_buyer_id"]`` come from ``sub`` and nothing else.

Refusals, each a JSON ``{"error": ..., "reason": ...}``; the message is not processed:
- 401: no/malformed/wrongly signed/expired token, or one without ``exp``/``sub``;
- 400: body not a JSON object, ``message`` not a non-blank string, ``metadata`` not an object;
- 413: ``message`` longer than 2,000 characters (refused, not cut: a cut message can
  lose the order number it ends with).
"""

from __future__ import annotations

import inspect
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from jieru.auth import AuthError, bearer_token, resolve_secret, verify_token
from jieru.identity import APP_CHANNEL, BUYER_METADATA_KEY
from jieru.rasa.channels.quiet import quiet_reply

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000


class _Refused(Exception):
    """A request answered with an HTTP error instead of being processed."""

    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.error, self.reason = status, error, reason

    def response(self) -> HTTPResponse:
        headers = (
            {"WWW-Authenticate": 'Bearer error="invalid_token"'} if self.status == 401 else None
        )
        return response.json(
            {"error": self.error, "reason": self.reason}, status=self.status, headers=headers
        )


def _message_and_metadata(request: Request) -> tuple[str, dict[str, Any]]:
    try:
        body = request.json
    except InvalidUsage:
        body = None
    if not isinstance(body, dict):
        raise _Refused(400, "bad_request", "body_not_json_object")
    text = body.get("message")
    metadata = {} if body.get("metadata") is None else body["metadata"]
    if not isinstance(text, str) or not text.strip():
        raise _Refused(400, "bad_request", "message_not_text")
    if len(text) > MAX_MESSAGE_CHARS:
        raise _Refused(413, "message_too_long", f"over_{MAX_MESSAGE_CHARS}_characters")
    if not isinstance(metadata, dict):
        raise _Refused(400, "bad_request", "metadata_not_object")
    return text, metadata


async def _quiet(request: Request, buyer: str) -> list[dict[str, Any]]:
    """What the buyer gets when the bot said nothing (``jieru.rasa.channels.quiet``):
    never an empty screen, unless a human agent is answering."""
    store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
    reply = await quiet_reply(store, buyer, APP_CHANNEL)
    if reply is None:
        return []
    message: dict[str, Any] = {"recipient_id": buyer, "text": reply.text}
    if reply.buttons:
        message["buttons"] = reply.buttons
    return [message]


class AppInput(InputChannel):
    """Rasa input channel ``app``: REST for the shopping app, authenticated per buyer."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    @classmethod
    def name(cls) -> str:
        return APP_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AppInput:
        """Build the channel; the secret is ``credentials["secret"]`` or ``JIERU_APP_JWT_SECRET``."""
        # Refuses to start without a secret rather than accept every token.
        return cls(resolve_secret((credentials or {}).get("secret")))

    def _buyer(self, request: Request) -> str:
        try:
            token = bearer_token(request.headers.get("Authorization"))
            return verify_token(token, secret=self.secret)
        except AuthError as error:
            raise _Refused(401, "unauthorized", error.reason) from error

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                # Authentication first: an anonymous caller learns nothing about the body rules.
                buyer = self._buyer(request)
                text, metadata = _message_and_metadata(request)
            except _Refused as refused:
                logger.info("app channel refused a request: %s %s", refused.status, refused.reason)
                return refused.response()
            logger.debug("app channel message from %s: %r", buyer, text)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                buyer,
                input_channel=APP_CHANNEL,
                metadata={**metadata, BUYER_METADATA_KEY: buyer},
            )
            # As Rasa's RestInput: a failure is logged and the replies so far are returned.
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error(
                    "app channel: message handling timed out (message %s)", message.message_id
                )
            except Exception:
                logger.exception(
                    "app channel: message handling failed (message %s)", message.message_id
                )
            # A human agent's replies reach the app through GET /api/buyer/messages.
            return response.json(collector.messages or await _quiet(request, buyer))

        return webhook
