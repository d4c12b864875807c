"""Hand-off figures (issue 15): time from the buyer's message to the hand-off in the
agents' queue, and agent -> buyer delivery latency, over N hand-offs (p50/p99).

Against servers already running (./scripts/run.sh: web service :8000, Rasa :5005, the
action server and the database behind them) with the same ``JIERU_APP_JWT_SECRET`` in
the environment:

    JIERU_APP_JWT_SECRET=... .venv/actions/bin/python bench/handoff.py --count 120

Each hand-off is a fresh buyer of the web widget's channel (a python-socketio client
over websocket with its own token, as bench/widget.py), one after another:
- to queue: from sending the buyer's message until the agents' API (``GET
  /api/agent/queue``, polled every ``--poll-ms``) lists the hand-off; half of the buyers
  ask for a person (``转人工``), half are angry (the emotion trigger, through the NLU);
  also the time until the buyer's socket has the bot's hand-off message;
- agent -> buyer: an agent takes the hand-off and replies through the API; from sending
  the reply until the buyer's socket receives it (Rasa's tracker API delivers it through
  the conversation's socket.io channel); the reply request's own time is given too.
The agent then closes the hand-off, so the conversation is resumed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jieru.auth import make_token  # noqa: E402

# Alternated: an explicit request, and anger the bot must notice on its own.
MESSAGES = ("转人工", "气死我了！！等了半个月还不发货，你们到底管不管")
AGENT = "bench-agent"
TIMEOUT_S = 60


class Buyer:
    """One widget buyer's socket: every bot message with the time it arrived."""

    def __init__(self, rasa: str, buyer: str) -> None:
        self.rasa, self.buyer = rasa, buyer
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        self.client.on("bot_uttered", self._on_bot)

    async def _on_bot(self, data: dict) -> None:
        self.received.put_nowait((str(data.get("text") or ""), time.perf_counter()))

    async def __aenter__(self) -> Buyer:
        token = make_token(self.buyer)
        await self.client.connect(self.rasa, auth={"token": token}, transports=["websocket"])
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.client.disconnect()

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "id": uuid.uuid4().hex})

    async def wait_for(self, part: str) -> float:
        """When a bot message containing ``part`` arrived."""
        while True:
            text, at = await asyncio.wait_for(self.received.get(), timeout=TIMEOUT_S)
            if part in text:
                return at


async def queued(api: httpx.AsyncClient, conversation: str, poll_s: float) -> tuple[int, float]:
    """The hand-off of ``conversation`` once the queue lists it, and when it first did."""
    deadline = time.perf_counter() + TIMEOUT_S
    while time.perf_counter() < deadline:
        response = await api.get("/api/agent/queue")
        response.raise_for_status()
        for handoff in response.json()["handoffs"]:
            if handoff["conversation_id"] == conversation:
                return handoff["id"], time.perf_counter()
        await asyncio.sleep(poll_s)
    raise TimeoutError(f"{conversation}: no hand-off in the queue after {TIMEOUT_S} s")


async def one(api: httpx.AsyncClient, rasa: str, buyer: str, text: str, poll_s: float) -> dict:
    async with Buyer(rasa, buyer) as socket:
        sent = time.perf_counter()
        await socket.say(text)
        (handoff_id, in_queue), told = await asyncio.gather(
            queued(api, buyer, poll_s), socket.wait_for("转接人工客服")
        )
        (await api.post(f"/api/agent/handoffs/{handoff_id}/take")).raise_for_status()
        reply = f"您好，我是客服（{uuid.uuid4().hex[:6]}）"
        replying = time.perf_counter()
        (response, delivered) = await asyncio.gather(
            api.post(f"/api/agent/handoffs/{handoff_id}/reply", json={"text": reply}),
            socket.wait_for(reply),
        )
        replied = time.perf_counter()
        response.raise_for_status()
        (await api.post(f"/api/agent/handoffs/{handoff_id}/close")).raise_for_status()
    return {
        "to_queue": in_queue - sent,
        "buyer_told": told - sent,
        "delivery": delivered - replying,
        "reply_call": replied - replying,
    }


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000


async def run(web: str, rasa: str, count: int, poll_ms: float) -> None:
    headers = {"Authorization": f"Bearer {make_token(AGENT, role='agent', minutes=120)}"}
    run_id = uuid.uuid4().hex[:6]
    rows = []
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=web, headers=headers, timeout=TIMEOUT_S) as api:
        for i in range(count):
            text = MESSAGES[i % len(MESSAGES)]
            rows.append(await one(api, rasa, f"bench-ho-{run_id}-{i}", text, poll_ms / 1000))
    wall = time.perf_counter() - started
    print(
        f"{count} hand-offs, one after another, in {wall:.0f} s (queue polled every {poll_ms:g} ms)"
    )
    names = {
        "to_queue": "buyer's message -> hand-off in the agents' queue",
        "buyer_told": "buyer's message -> bot's hand-off message at the buyer",
        "delivery": "agent's reply sent -> received by the buyer's socket",
        "reply_call": "agent's reply request (POST .../reply) returns",
    }
    for key, name in names.items():
        values = [r[key] for r in rows]
        print(
            f"  {name}: p50 {pct(values, 0.5):.0f} ms, p99 {pct(values, 0.99):.0f} ms, "
            f"mean {statistics.mean(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
        )
    for label, text in (("asked", MESSAGES[0]), ("angry", MESSAGES[1])):
        values = [r["to_queue"] for i, r in enumerate(rows) if MESSAGES[i % 2] == text]
        print(
            f"  to queue, {label} ({len(values)}): p50 {pct(values, 0.5):.0f} ms, p99 {pct(values, 0.99):.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", default="http://127.0.0.1:8000")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--poll-ms", type=float, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.web, args.rasa, args.count, args.poll_ms))


if __name__ == "__main__":
    main()
