"""The web widget's socket.io channel against the running Rasa and action servers
(scripts/test.sh stage 7, demo data), with python-socketio clients over websocket as the
widget's socket.io-client connects: the token rules, the buyer taken from the token
only, the conversation continued by a reload and shared by two tabs."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import pytest
import socketio

from jieru.auth import make_token
from tests.channels.tokens import in_minutes, signed, unsigned_token

pytestmark = pytest.mark.servers

ORDER = "250312345678"  # b1001's JD order with a rejected return (demo data)
WAIT = 60


class Tab:
    """One browser tab of a buyer: a socket that records what the bot sends."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.bot: list[dict[str, Any]] = []
        self.typing: list[bool] = []
        self.refused: list[Any] = []
        self.sio.on("bot_uttered", self.bot.append)
        self.sio.on("bot_typing", lambda data: self.typing.append(data["typing"]))
        self.sio.on("connect_error", self.refused.append)

    async def connect(self, base_url: str, auth: Any) -> Tab:
        try:
            await self.sio.connect(base_url, auth=auth, transports=["websocket"], wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            pass
        return self

    async def say(self, text: str) -> str:
        """Send ``text`` and wait for the whole reply; return its text."""
        start, typed = len(self.bot), len(self.typing)
        ack = await self.sio.call(
            "user_uttered", {"message": text, "id": uuid.uuid4().hex}, timeout=WAIT
        )
        assert ack["status"] == "accepted", ack
        for _ in range(WAIT * 20):
            if False in self.typing[typed:] and len(self.bot) > start:
                break
            await asyncio.sleep(0.05)
        return "\n".join(m.get("text") or "" for m in self.bot[start:])


async def buyer_tab(base_url: str, buyer: str) -> Tab:
    tab = await Tab().connect(base_url, {"token": make_token(buyer, minutes=10)})
    assert tab.sio.connected, tab.refused
    return tab


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {"token": make_token("b1001", secret="another-secret-" + "x" * 40)},
        {"token": unsigned_token({"sub": "b1001", "exp": int(in_minutes(5).timestamp())})},
        {
            "token": signed(
                {"sub": "b1001", "exp": in_minutes(-10)},
                secret=os.environ.get("JIERU_APP_JWT_SECRET", "x"),
            )
        },
    ],
    ids=["no-token", "wrong-secret", "alg-none", "expired"],
)
async def test_refused_tokens_cannot_connect(base_url, auth) -> None:
    tab = await Tab().connect(base_url, auth)
    assert not tab.sio.connected
    assert tab.refused and tab.refused[0]["message"] == "unauthorized"


async def test_another_buyers_order_reads_like_an_unknown_one(base_url) -> None:
    stranger = await buyer_tab(base_url, f"b-stranger-{uuid.uuid4().hex[:6]}")
    other = await buyer_tab(base_url, f"b-stranger-{uuid.uuid4().hex[:6]}")
    try:
        # The page claims b1001 everywhere it can; the conversation stays the token's.
        ack = await stranger.sio.call(
            "user_uttered",
            {
                "message": ORDER,
                "id": "x1",
                "session_id": "b1001",
                "sender": "b1001",
                "metadata": {"jieru_buyer_id": "b1001", "buyer_id": "b1001"},
            },
            timeout=WAIT,
        )
        assert ack["status"] == "accepted"
        for _ in range(WAIT * 20):
            if False in stranger.typing:
                break
            await asyncio.sleep(0.05)
        theirs = "\n".join(m.get("text") or "" for m in stranger.bot)
        unknown = await other.say("11112222333344")
        assert "蓝牙耳机" not in theirs
        assert theirs.replace(ORDER, "#") == unknown.replace("11112222333344", "#")
    finally:
        await stranger.sio.disconnect()
        await other.sio.disconnect()


async def test_a_reload_continues_and_a_second_tab_shares_the_conversation(base_url) -> None:
    buyer = f"b-web-{uuid.uuid4().hex[:6]}"
    first = await buyer_tab(base_url, buyer)
    second = await buyer_tab(base_url, buyer)
    try:
        reply = await first.say("京东介入在哪里")
        assert reply.strip()
        for _ in range(100):
            if len(second.bot) >= len(first.bot):
                break
            await asyncio.sleep(0.05)
        assert [m["id"] for m in second.bot] == [m["id"] for m in first.bot]
    finally:
        await first.sio.disconnect()
    reloaded = await buyer_tab(base_url, buyer)
    try:
        history = await reloaded.sio.call("history_request", {}, timeout=WAIT)
        assert history["buyer"] == buyer
        said = [m["text"] for m in history["messages"] if m["from"] == "user"]
        assert said == ["京东介入在哪里"]
        shown = [m["id"] for m in history["messages"] if m["from"] == "bot"]
        assert shown == [m["id"] for m in first.bot]
    finally:
        await reloaded.sio.disconnect()
        await second.sio.disconnect()
