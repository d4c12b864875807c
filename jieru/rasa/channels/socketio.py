"""The web widget's channel: Rasa's socket.io channel behind the buyer's JWT.

The same tokens as the app channel (HS256, ``JIERU_APP_JWT_SECRET``, ``exp`` and ``sub``
required; checked by :func:`jieru.auth.verify_token`), sent in the socket.io ``auth``
payload when connecting: ``io(url, {auth: {token}})``. Without a valid token the
connection is refused (``connect_error`` with ``{"message": "unauthorized", "data":
{"reason": ...}}``) and no event of that client is ever handled.

The conversation is the token's buyer's: the sender id is ``sub``, and every socket of
that buyer (reloads, other tabs, other devices) joins the room named after them, so bot
messages reach all of them and a reload continues the same conversation. Whatever the
page sends as ``session_id``, sender or buyer id is ignored.

Events (client → server; each answers through the socket.io acknowledgement):
- ``user_uttered`` ``{"message": str, "id": str, "metadata": {...}}`` → ``{"status":
  "accepted"|"duplicate"|"refused", "id": ..., "reason"?: ...}``. ``id`` is the
  client's message id: a message resent after a dropped connection is processed once.
- ``history_request`` → ``{"buyer": ..., "messages": [...]}``: the conversation as the
  tracker store holds it, in the shape of live messages. Read under the conversation's
  lock, so it never misses a reply already sent while a message was being processed.
- ``session_request`` (Rasa's webchat protocol) → ``session_confirm`` with the buyer id.

Server → client: ``bot_uttered`` (Rasa's shapes, plus ``id`` and ``ts``),
``user_echo`` (a message the buyer sent from another tab), ``bot_typing``
``{"typing": bool}``, ``auth_expired`` (then the socket is closed: reconnect with a new
token).
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from jieru.auth import AuthError, resolve_secret, verify_token
from jieru.identity import BUYER_METADATA_KEY, WEB_CHANNEL
from jieru.rasa.channels.quiet import quiet_reply

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_CLIENT_ID_CHARS = 64
# The client's message id, kept in the UserUttered event's metadata so the history
# tells the widget which of its messages the server already has.
CLIENT_ID_KEY = "jieru_client_id"
# Text the widget showed for a message (a button's title for its payload).
DISPLAY_KEY = "display"
HISTORY_LIMIT = 200
# Message ids remembered per buyer, and buyers remembered, to refuse resent messages.
SEEN_IDS_PER_BUYER = 200
SEEN_BUYERS = 10_000


class WebOutput(SocketIOOutput):
    """Rasa's socket.io output to the buyer's room, each message with ``id`` and ``ts``.

    ``ts`` is the BotUttered event's timestamp (Rasa passes it with every message), and
    ``id`` is derived from it, so a message sent live and the same one read back from the
    tracker carry the same id and the widget shows it once.
    """

    @classmethod
    def name(cls) -> str:
        return WEB_CHANNEL

    def __init__(
        self,
        sio: AsyncServer | None,
        bot_message_evt: str,
        sink: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
        namespace: str | None = None,
    ) -> None:
        super().__init__(sio, bot_message_evt)
        self._sink = sink
        self.namespace = namespace
        self._timestamp: float | None = None
        self._part = 0
        self.sent = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # One stamped copy per bot message: the base class splits it into several
        # emits (text parts, image, custom) that must share its timestamp.
        stamped = copy.copy(self)
        stamped._timestamp = message.get("timestamp") or time.time()
        stamped._part = 0
        stamped.sent = 0
        await super(WebOutput, stamped).send_response(recipient_id, dict(message))
        self.sent += stamped.sent

    async def _send_message(self, socket_id: str, response: Any) -> None:
        ts = self._timestamp or time.time()
        message = {**response, "id": f"b{ts:.6f}-{self._part}", "ts": ts}
        self._part += 1
        self.sent += 1
        if self._sink is not None:
            await self._sink(message)
        else:
            await self.sio.emit(
                self.bot_message_evt, message, room=socket_id, namespace=self.namespace
            )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Rasa's version passes the payload's keys to emit() as its arguments, which
        # fails for any payload but {"data": ..., "room": ...}.
        await self._send_message(recipient_id, {"custom": json_message})


def _client_id(value: object) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= MAX_CLIENT_ID_CHARS:
        return value
    return None


def _page_metadata(data: dict[str, Any], key: str) -> dict[str, Any]:
    """The page's metadata minus every key the channel sets itself."""
    metadata = data.get(key) or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            metadata = {}
    if not isinstance(metadata, dict):
        return {}
    return {k: v for k, v in metadata.items() if k not in (BUYER_METADATA_KEY, CLIENT_ID_KEY)}


def _user_message(event: UserUttered) -> dict[str, Any]:
    metadata = event.metadata or {}
    display = metadata.get(DISPLAY_KEY)
    return {
        "id": metadata.get(CLIENT_ID_KEY) or f"u{event.timestamp:.6f}",
        "from": "user",
        "text": display if isinstance(display, str) and display else (event.text or ""),
        "ts": event.timestamp,
    }


class _SeenIds:
    """The recent client message ids of each buyer (bounded in both directions)."""

    def __init__(self) -> None:
        self._ids: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()

    def add(self, buyer: str, message_id: str) -> bool:
        """Record ``message_id``; False if it was already recorded for ``buyer``."""
        ids = self._ids.setdefault(buyer, OrderedDict())
        self._ids.move_to_end(buyer)
        if message_id in ids:
            return False
        ids[message_id] = None
        if len(ids) > SEEN_IDS_PER_BUYER:
            ids.popitem(last=False)
        if len(self._ids) > SEEN_BUYERS:
            self._ids.popitem(last=False)
        return True


class _AppBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that remembers the Sanic app it is registered on (whose
    ``ctx.agent`` holds the tracker and lock stores)."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.app = app
        super().register(app, options)


class WebChatInput(SocketIOInput):
    """Rasa input channel ``web``: socket.io for the web widget, authenticated per buyer."""

    @classmethod
    def name(cls) -> str:
        return WEB_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        """Build the channel from credentials.yml.

        ``secret`` (default ``JIERU_APP_JWT_SECRET``; the channel refuses to start
        without one), ``socketio_path`` (``/socket.io``), ``user_message_evt``,
        ``bot_message_evt``, ``namespace``, ``metadata_key`` as Rasa's channel, and
        ``cors_allowed_origins`` (a list, ``"*"``, or empty for none checked, as Rasa).
        Session persistence is always on and ``jwt_key``/``jwt_method`` are not read:
        the token rules are the app channel's.
        """
        credentials = credentials or {}
        return cls(
            secret=resolve_secret(credentials.get("secret")),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            metadata_key=credentials.get("metadata_key", "metadata"),
            cors_allowed_origins=credentials.get("cors_allowed_origins") or [],
        )

    def __init__(
        self,
        secret: str,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        socketio_path: str = "/socket.io",
        metadata_key: str = "metadata",
        cors_allowed_origins: Sequence[str] | str = (),
    ) -> None:
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            namespace=namespace,
            session_persistence=True,
            socketio_path=socketio_path,
            jwt_key=None,
            metadata_key=metadata_key,
        )
        self.secret = secret
        self.cors_allowed_origins = (
            list(cors_allowed_origins)
            if not isinstance(cors_allowed_origins, str)
            else cors_allowed_origins
        )
        self._seen = _SeenIds()
        self._blueprint: _AppBlueprint | None = None

    def get_output_channel(self) -> WebOutput | None:
        """The output for messages the bot sends on its own (reminders, external events)."""
        if self.sio is None:
            return None
        return WebOutput(self.sio, self.bot_message_evt, namespace=self.namespace)

    def _buyer(self, token: object) -> str:
        if not isinstance(token, str) or not token:
            raise AuthError("missing_token")
        return verify_token(token, secret=self.secret)

    async def _session_buyer(self, sio: AsyncServer, sid: str) -> str | None:
        """The buyer of a connected socket whose token is still valid; else None, after
        telling the client and closing the socket."""
        session = await sio.get_session(sid, namespace=self.namespace)
        try:
            return self._buyer(session.get("token"))
        except AuthError as error:
            logger.info("web channel: token of socket %s no longer valid (%s)", sid, error.reason)
            await sio.emit(
                "auth_expired", {"reason": error.reason}, to=sid, namespace=self.namespace
            )
            await sio.disconnect(sid, namespace=self.namespace)
            return None

    def _agent(self) -> Any:
        app = getattr(self._blueprint.ctx, "app", None) if self._blueprint else None
        return getattr(app.ctx, "agent", None) if app is not None else None

    async def history(self, buyer: str) -> list[dict[str, Any]]:
        """The last messages of ``buyer``'s conversation as the tracker store has them."""
        agent = self._agent()
        if agent is None or agent.tracker_store is None:
            return []
        async with agent.lock_store.lock(buyer):
            tracker = await agent.tracker_store.retrieve_full_tracker(buyer)
        if tracker is None:
            return []
        messages: list[dict[str, Any]] = []

        async def collect(message: dict[str, Any]) -> None:
            messages.append({**message, "from": "bot"})

        output = WebOutput(None, self.bot_message_evt, sink=collect)
        for event in tracker.events:
            if isinstance(event, UserUttered) and event.text:
                messages.append(_user_message(event))
            elif isinstance(event, BotUttered):
                await output.send_response(buyer, event.message())
        return messages[-HISTORY_LIMIT:]

    async def _quiet(self, sio: AsyncServer, buyer: str) -> None:
        """What the buyer sees when the bot said nothing (``jieru.rasa.channels.quiet``):
        never an empty screen, unless a human agent is answering (their replies come
        over this socket)."""
        agent = self._agent()
        store = agent.tracker_store if agent is not None else None
        reply = await quiet_reply(store, buyer, WEB_CHANNEL)
        if reply is not None:
            output = WebOutput(sio, self.bot_message_evt, namespace=self.namespace)
            if reply.buttons:
                await output.send_text_with_buttons(buyer, reply.text, reply.buttons)
            else:
                await output.send_text_message(buyer, reply.text)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io blueprint with this channel's handlers (the base class's
        handlers take the sender from the page, so none of them is reused)."""
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins)
        webhook = _AppBlueprint(sio, self.socketio_path, "jieru_web_webhook", __name__)
        self.sio = sio
        self._blueprint = webhook
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: Any = None) -> None:
            token = auth.get("token") if isinstance(auth, dict) else None
            try:
                buyer = self._buyer(token)
            except AuthError as error:
                logger.info("web channel refused a connection: %s", error.reason)
                raise SocketRefused("unauthorized", {"reason": error.reason}) from error
            await sio.save_session(sid, {"token": token, "buyer": buyer}, namespace=namespace)
            await sio.enter_room(sid, buyer, namespace=namespace)
            logger.debug("web channel: buyer %s connected (socket %s)", buyer, sid)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            buyer = await self._session_buyer(sio, sid)
            if buyer is not None:
                await sio.emit("session_confirm", buyer, to=sid, namespace=namespace)

        @sio.on("history_request", namespace=namespace)
        async def history_request(sid: str, data: Any = None) -> dict[str, Any] | None:
            buyer = await self._session_buyer(sio, sid)
            if buyer is None:
                return None
            return {"buyer": buyer, "messages": await self.history(buyer)}

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> dict[str, Any] | None:
            buyer = await self._session_buyer(sio, sid)
            if buyer is None:
                return None
            if not isinstance(data, dict):
                return {"status": "refused", "reason": "not_an_object"}
            text, message_id = data.get("message"), _client_id(data.get("id"))
            if not isinstance(text, str) or not text.strip():
                return {"status": "refused", "id": message_id, "reason": "message_not_text"}
            if len(text) > MAX_MESSAGE_CHARS:
                return {
                    "status": "refused",
                    "id": message_id,
                    "reason": f"over_{MAX_MESSAGE_CHARS}_characters",
                }
            if message_id is not None and not self._seen.add(buyer, message_id):
                return {"status": "duplicate", "id": message_id}
            metadata = {**_page_metadata(data, self.metadata_key), BUYER_METADATA_KEY: buyer}
            if message_id is not None:
                metadata[CLIENT_ID_KEY] = message_id
            display = metadata.get(DISPLAY_KEY)
            echo = {
                "id": message_id,
                "from": "user",
                "ts": time.time(),
                "text": display if isinstance(display, str) and display else text,
            }
            await sio.emit("user_echo", echo, room=buyer, skip_sid=sid, namespace=namespace)
            sio.start_background_task(self._process, sio, buyer, text, metadata, on_new_message)
            return {"status": "accepted", "id": message_id}

        return webhook

    async def _process(
        self,
        sio: AsyncServer,
        buyer: str,
        text: str,
        metadata: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Run one message through the bot, with the typing indicator around it.

        A background task, so the acknowledgement reaches the widget at once and the
        socket keeps reading while the bot works.
        """
        output = WebOutput(sio, self.bot_message_evt, namespace=self.namespace)
        message = UserMessage(text, output, buyer, input_channel=WEB_CHANNEL, metadata=metadata)
        await sio.emit("bot_typing", {"typing": True}, room=buyer, namespace=self.namespace)
        try:
            await on_new_message(message)
        except Exception:
            logger.exception(
                "web channel: message handling failed (message %s)", message.message_id
            )
        finally:
            await sio.emit("bot_typing", {"typing": False}, room=buyer, namespace=self.namespace)
        if output.sent == 0:
            await self._quiet(sio, buyer)
