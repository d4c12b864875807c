"""The web widget's socket.io channel over a real socket, wired as ``rasa run`` wires it.

A Sanic server on a free loopback port gets the channel from a credentials file through
Rasa's ``create_http_input_channels`` and ``register``; the agent is replaced by one that
answers as Rasa's processor does (BotUttered events sent through the output channel and
saved with the UserUttered event in a real tracker store, under the conversation's lock).
Clients are python-socketio's AsyncClient, as a browser's socket.io-client speaks.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rasa.core.channels.channel")

import socketio  # noqa: E402
from rasa.core.channels.channel import UserMessage  # noqa: E402
from rasa.core.lock_store import InMemoryLockStore  # noqa: E402
from rasa.core.run import create_http_input_channels  # noqa: E402
from rasa.core.tracker_store import InMemoryTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import BotUttered, ConversationPaused, Event, UserUttered  # noqa: E402

from jieru.auth import make_token  # noqa: E402
from jieru.identity import AGENT_METADATA_KEY, buyer_from_tracker_metadata  # noqa: E402
from jieru.kb import load_yaml  # noqa: E402
from jieru.rasa.channels.socketio import WebChatInput  # noqa: E402

from .serving import CHANNELS, credentials_file, serving  # noqa: E402
from .tokens import REFUSED, in_minutes, signed  # noqa: E402

pytestmark = pytest.mark.rasa

CHANNEL = CHANNELS["web"]
WAIT = 5


@dataclass
class ProcessorLikeAgent:
    """Stands in for rasa's Agent: answers as its processor does and keeps trackers."""

    received: list[UserMessage] = field(default_factory=list)
    tracker_store: InMemoryTrackerStore = field(
        default_factory=lambda: InMemoryTrackerStore(Domain.empty())
    )
    lock_store: InMemoryLockStore = field(default_factory=InMemoryLockStore)
    silent: bool = False
    fail: bool = False
    delay: float = 0.0

    async def handle_message(self, message: UserMessage) -> None:
        async with self.lock_store.lock(message.sender_id):
            self.received.append(message)
            tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
            tracker.update(UserUttered(message.text, metadata=message.metadata))
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.fail:
                raise RuntimeError("the dialogue policy fell over")
            if not self.silent:
                replies = [
                    BotUttered(f"收到：{message.text}"),
                    BotUttered(
                        "您说的是哪一笔订单？",
                        data={"buttons": [{"title": "蓝牙耳机 · 京东", "payload": "/inform"}]},
                    ),
                    BotUttered(data={"custom": {"order_id": "JD240501001"}}),
                ]
                for event in replies:
                    tracker.update(event)
                    await message.output_channel.send_response(message.sender_id, event.message())
            await self.tracker_store.save(tracker)


@dataclass
class Client:
    """A socket.io client that records what the server sends it."""

    sio: socketio.AsyncClient
    events: list[tuple[str, Any]] = field(default_factory=list)
    refused: list[Any] = field(default_factory=list)

    async def close(self) -> None:
        """Drop the connection at once (a graceful close sits out a long-poll cycle)."""
        await self.sio.eio.disconnect(abort=True)

    def of(self, name: str) -> list[Any]:
        return [data for event, data in self.events if event == name]

    def bot_texts(self) -> list[str]:
        return [m.get("text") for m in self.of("bot_uttered") if m.get("text")]

    async def wait_for(self, name: str, count: int = 1) -> list[Any]:
        for _ in range(WAIT * 50):
            if len(self.of(name)) >= count:
                return self.of(name)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {count} {name!r} events in {WAIT}s: {self.events}")

    async def say(self, text: Any, message_id: str | None = None, **extra: Any) -> Any:
        body = {"message": text, "id": message_id or uuid.uuid4().hex, **extra}
        return await self.sio.call("user_uttered", body, timeout=WAIT)


@dataclass
class Server:
    url: str
    agent: ProcessorLikeAgent
    channel: WebChatInput
    clients: list[Client] = field(default_factory=list)

    async def client(self, auth: Any) -> Client:
        """A client that tried to connect with ``auth`` (connected or refused)."""
        client = Client(socketio.AsyncClient(reconnection=False))
        for name in ("bot_uttered", "user_echo", "bot_typing", "session_confirm", "auth_expired"):
            client.sio.on(name, lambda data, name=name: client.events.append((name, data)))
        client.sio.on("connect_error", lambda data: client.refused.append(data))
        self.clients.append(client)
        # Long polling: the websocket transport of this python-engineio needs a newer
        # aiohttp than Rasa pins (the end-to-end tests use websockets, as the widget does).
        connecting = asyncio.ensure_future(
            client.sio.connect(self.url, auth=auth, transports=["polling"], wait_timeout=WAIT)
        )
        for _ in range(WAIT * 50):
            if connecting.done() or client.refused:
                break
            await asyncio.sleep(0.02)
        if not connecting.done():
            # Refused: the client would otherwise sit out a whole long-poll cycle.
            connecting.cancel()
            await client.sio.eio.disconnect(abort=True)
        elif connecting.exception() is not None:
            assert isinstance(connecting.exception(), socketio.exceptions.ConnectionError)
        return client

    async def buyer(self, buyer_id: str = "b1001") -> Client:
        client = await self.client({"token": make_token(buyer_id)})
        assert client.sio.connected, client.refused
        return client


@asynccontextmanager
async def running_server(
    credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Server]:
    agent = ProcessorLikeAgent()
    [channel] = create_http_input_channels(None, str(credentials))
    async with serving([channel], agent, monkeypatch) as url:
        server = Server(url, agent, channel)
        try:
            yield server
        finally:
            for client in server.clients:
                await client.close()
            # Stops the server's ping tasks, which would outlive the test's event loop.
            await channel.sio.shutdown()


@pytest.fixture
def credentials(tmp_path: Path) -> Path:
    return credentials_file(tmp_path, CHANNEL)


@pytest.fixture
async def server(credentials: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    async with running_server(credentials, monkeypatch) as running:
        yield running


async def test_valid_token_connects_and_the_conversation_is_the_tokens_buyer(
    server: Server,
) -> None:
    client = await server.buyer("b1001")
    ack = await client.say("卖家拒绝退款怎么办", "m-1")
    assert ack == {"status": "accepted", "id": "m-1"}
    await client.wait_for("bot_uttered", 3)
    [message] = server.agent.received
    assert (message.sender_id, message.input_channel, message.text) == (
        "b1001",
        "web",
        "卖家拒绝退款怎么办",
    )
    assert message.metadata == {"jieru_buyer_id": "b1001", "jieru_client_id": "m-1"}
    # What the action server makes of it: the token's buyer, never the development one.
    assert buyer_from_tracker_metadata({"metadata": message.metadata}, "web", "b_dev") == "b1001"


async def test_bot_messages_have_rasas_shapes_with_id_and_time(server: Server) -> None:
    client = await server.buyer()
    await client.say("在吗")
    first, buttons, custom = await client.wait_for("bot_uttered", 3)
    assert first["text"] == "收到：在吗" and isinstance(first["ts"], float)
    assert buttons["quick_replies"] == [
        {"content_type": "text", "title": "蓝牙耳机 · 京东", "payload": "/inform"}
    ]
    assert custom["custom"] == {"order_id": "JD240501001"}
    assert len({first["id"], buttons["id"], custom["id"]}) == 3
    typing = await client.wait_for("bot_typing", 2)
    assert typing == [{"typing": True}, {"typing": False}]


@pytest.mark.parametrize(
    ("auth", "reason"),
    [
        pytest.param(None, "missing_token", id="no-auth"),
        pytest.param({}, "missing_token", id="empty-auth"),
        pytest.param({"token": ""}, "missing_token", id="empty-token"),
        pytest.param({"token": 42}, "missing_token", id="number"),
        *(pytest.param({"token": token}, reason, id=name) for name, token, reason in REFUSED),
    ],
)
async def test_refused_tokens_refuse_the_connection_and_nothing_is_processed(
    server: Server, auth: Any, reason: str
) -> None:
    client = await server.client(auth)
    assert not client.sio.connected
    assert client.refused == [{"message": "unauthorized", "data": {"reason": reason}}]
    assert server.agent.received == []


async def test_a_refused_client_cannot_send_anything(server: Server) -> None:
    client = await server.client({"token": "garbage"})
    with pytest.raises(socketio.exceptions.BadNamespaceError):
        await client.sio.emit("user_uttered", {"message": "帮我申请介入", "id": "x"})
    await asyncio.sleep(0.2)
    assert server.agent.received == []


async def test_buyer_claimed_by_the_page_is_ignored(server: Server) -> None:
    client = await server.buyer("b1001")
    ack = await client.say(
        "查一下订单 JD240501001",
        "m-2",
        session_id="b_victim",
        sender="b_victim",
        customData={"jieru_buyer_id": "b_victim"},
        metadata={
            "jieru_buyer_id": "b_victim",
            "buyer_id": "b_victim",
            "jieru_client_id": "forged",
            "display": "查一下订单",
            "locale": "zh-TW",
        },
    )
    assert ack["status"] == "accepted"
    await client.wait_for("bot_uttered", 3)
    [message] = server.agent.received
    assert message.sender_id == "b1001"
    # The channel's keys overwrite the page's; other metadata is kept as sent (actions
    # read the buyer from jieru_buyer_id only).
    assert message.metadata == {
        "jieru_buyer_id": "b1001",
        "jieru_client_id": "m-2",
        "buyer_id": "b_victim",
        "display": "查一下订单",
        "locale": "zh-TW",
    }
    assert await server.agent.tracker_store.retrieve("b_victim") is None


async def test_session_request_confirms_the_buyer_not_the_pages_session(server: Server) -> None:
    client = await server.buyer("b1001")
    await client.sio.emit("session_request", {"session_id": "b_victim"})
    assert await client.wait_for("session_confirm") == ["b1001"]


async def test_another_tab_of_the_buyer_sees_the_conversation_and_others_do_not(
    server: Server,
) -> None:
    tab1, tab2, stranger = (
        await server.buyer("b1001"),
        await server.buyer("b1001"),
        await server.buyer("b2002"),
    )
    await tab1.say("卖家拒绝退款怎么办", "m-3", metadata={"display": "卖家拒绝退款怎么办"})
    await tab1.wait_for("bot_uttered", 3)
    await tab2.wait_for("bot_uttered", 3)
    assert tab2.bot_texts() == tab1.bot_texts()
    assert [e["id"] for e in tab2.of("user_echo")] == ["m-3"]
    assert tab1.of("user_echo") == []
    await asyncio.sleep(0.1)
    assert stranger.events == []


async def test_reload_gets_the_conversation_from_the_tracker_with_the_live_ids(
    server: Server,
) -> None:
    client = await server.buyer("b1001")
    await client.say("/request_intervention", "m-4", metadata={"display": "申请介入"})
    live = await client.wait_for("bot_uttered", 3)
    await client.close()
    reloaded = await server.buyer("b1001")
    history = await reloaded.sio.call("history_request", {}, timeout=WAIT)
    assert history["buyer"] == "b1001"
    user, *bot = history["messages"]
    assert (user["id"], user["from"], user["text"]) == ("m-4", "user", "申请介入")
    assert [{k: v for k, v in m.items() if k != "from"} for m in bot] == live
    assert {m["from"] for m in bot} == {"bot"}


async def test_history_waits_for_a_message_being_processed(server: Server) -> None:
    server.agent.delay = 0.5
    client = await server.buyer("b1001")
    await client.say("在吗", "m-5")
    history = await client.sio.call("history_request", {}, timeout=WAIT)
    # Read under the conversation's lock: the replies already sent are in it.
    assert [m["id"] for m in history["messages"][1:]] == [m["id"] for m in client.of("bot_uttered")]
    assert len(history["messages"]) == 4


async def test_a_new_buyer_has_an_empty_history(server: Server) -> None:
    client = await server.buyer("b-new")
    assert await client.sio.call("history_request", None, timeout=WAIT) == {
        "buyer": "b-new",
        "messages": [],
    }


async def test_a_resent_message_is_processed_once(server: Server) -> None:
    client = await server.buyer("b1001")
    assert (await client.say("在吗", "m-6"))["status"] == "accepted"
    await client.close()
    again = await server.buyer("b1001")
    assert await again.say("在吗", "m-6") == {"status": "duplicate", "id": "m-6"}
    await asyncio.sleep(0.3)
    assert [m.text for m in server.agent.received] == ["在吗"]
    # Another buyer's message with the same id is theirs, not a duplicate.
    other = await server.buyer("b2002")
    assert (await other.say("在吗", "m-6"))["status"] == "accepted"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("在吗", "not_an_object"),
        ({"id": "x"}, "message_not_text"),
        ({"message": 42, "id": "x"}, "message_not_text"),
        ({"message": "  \n", "id": "x"}, "message_not_text"),
        ({"message": "退" * 2001, "id": "x"}, "over_2000_characters"),
    ],
    ids=["string", "no-message", "number", "blank", "too-long"],
)
async def test_bad_messages_are_refused_and_not_processed(
    server: Server, body: Any, reason: str
) -> None:
    client = await server.buyer()
    ack = await client.sio.call("user_uttered", body, timeout=WAIT)
    assert ack["status"] == "refused" and ack["reason"] == reason
    await asyncio.sleep(0.2)
    assert server.agent.received == []


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "😡卖家不发货！！！🙏🏻",
        "賣家拒絕退款",
        "退" * 2000,
        "JD1001' OR '1'='1'; DROP TABLE orders; --",
    ],
    ids=["html", "emoji", "traditional", "longest", "injection"],
)
async def test_unusual_text_passes_through_verbatim(server: Server, text: str) -> None:
    client = await server.buyer()
    await client.say(text)
    await client.wait_for("bot_uttered", 3)
    assert client.bot_texts()[0] == f"收到：{text}"
    assert [m.text for m in server.agent.received] == [text]


async def test_no_reply_at_all_becomes_a_clear_message_with_a_human_offered(server: Server) -> None:
    server.agent.silent = True
    client = await server.buyer()
    await client.say("卖家拒绝退款")
    [reply] = await client.wait_for("bot_uttered")
    assert "没有为您提交任何内容" in reply["text"]
    assert reply["quick_replies"] == [
        {"content_type": "text", "title": "转人工客服", "payload": "/request_human"}
    ]


async def pause(server: Server, *after: Event) -> None:
    """Hand b1001's conversation to a human agent (issue 15), with ``after`` the pause."""
    store = server.agent.tracker_store
    tracker = await store.get_or_create_tracker("b1001")
    for event in (ConversationPaused(), *after):
        tracker.update(event)
    await store.save(tracker)
    server.agent.silent = True


async def test_a_conversation_an_agent_answers_gets_no_bot_reply_and_no_error(
    server: Server,
) -> None:
    # The bot is silent on purpose, and the agent's replies come over the same socket.
    await pause(server, BotUttered("您好，我是客服小王", metadata={AGENT_METADATA_KEY: "alice"}))
    client = await server.buyer()
    await client.say("人呢？")
    await client.wait_for("bot_typing", 2)
    await asyncio.sleep(0.3)
    assert client.of("bot_uttered") == []
    assert [m.text for m in server.agent.received] == ["人呢？"]


async def test_a_buyer_waiting_for_an_agent_is_told_the_message_will_be_read(
    server: Server,
) -> None:
    await pause(server)  # no agent has written yet
    client = await server.buyer()
    await client.say("叫人工来")
    [reply] = await client.wait_for("bot_uttered")
    assert reply["text"] == load_yaml("labels.yml")["templates"]["waiting_for_agent"]
    assert "quick_replies" not in reply
    assert [m.text for m in server.agent.received] == ["叫人工来"]


async def test_a_failing_agent_keeps_the_socket_usable(server: Server) -> None:
    server.agent.fail = True
    client = await server.buyer()
    await client.say("在吗")
    await client.wait_for("bot_uttered")
    server.agent.fail = False
    assert (await client.say("还在吗"))["status"] == "accepted"
    assert client.sio.connected


async def test_a_token_that_expires_while_connected_closes_the_socket(server: Server) -> None:
    client = await server.client({"token": signed({"sub": "b1001", "exp": in_minutes(-0.45)})})
    # Accepted within the 30 s clock skew, then past it by the time the next event comes.
    assert client.sio.connected
    await asyncio.sleep(4)
    await client.sio.emit("user_uttered", {"message": "在吗", "id": "m-7"})
    await client.wait_for("auth_expired")
    assert client.of("auth_expired") == [{"reason": "expired"}]
    await asyncio.sleep(0.2)
    assert server.agent.received == [] and not client.sio.connected


async def test_bot_messages_sent_on_the_bots_own_reach_every_tab(server: Server) -> None:
    # As a reminder or an external event reaches the buyer: through the channel's output.
    tab1, tab2 = await server.buyer("b1001"), await server.buyer("b1001")
    await server.channel.get_output_channel().send_text_message("b1001", "现在可以申请介入了")
    for tab in (tab1, tab2):
        assert (await tab.wait_for("bot_uttered"))[0]["text"] == "现在可以申请介入了"


def test_the_widgets_channel_keeps_sessions_and_leaves_rasas_jwt_unused(credentials: Path) -> None:
    [channel] = create_http_input_channels(None, str(credentials))
    assert channel.session_persistence and channel.jwt_key is None


def test_the_projects_credentials_register_the_channel() -> None:
    root = Path(__file__).resolve().parents[2]
    channels = create_http_input_channels(None, str(root / "credentials.yml"))
    assert any(isinstance(c, WebChatInput) for c in channels)
