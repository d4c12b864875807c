"""A small HTTP server in the test process standing in for ``rasa run --enable-api``:
the endpoints jieru.services.rasa_client calls (the two tracker endpoints and
trigger_intent), with Rasa's paths, query parameters and JSON. It records every request, so tests assert the exact events sent, and keeps each
conversation's events (stamped like Rasa does) so transcripts can be read back.

Not Rasa itself: tests/rasa_api checks the same event JSON against Rasa's own event
classes in the Rasa environment.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

PREFIX = "/conversations/"


@dataclass
class Request:
    method: str
    conversation_id: str
    path: str  # after the conversation id: /tracker or /tracker/events
    query: dict[str, str]
    body: Any


def trigger_request(conversation_id: str, intent: str, **entities: str) -> Request:
    """The request the web service makes to have the bot handle ``intent``."""
    return Request(
        "POST",
        conversation_id,
        "/trigger_intent",
        {"output_channel": "latest"},
        {"name": intent, "entities": entities},
    )


@dataclass
class FakeRasa:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_with: int | None = None  # answer every request with this HTTP status

    def say(self, conversation_id: str, who: str, text: str, **extra: Any) -> None:
        """Add a message to a conversation as if it had happened in Rasa."""
        self.events.setdefault(conversation_id, []).append(
            {"event": who, "text": text, "timestamp": time.time(), **extra}
        )

    def appended(self, conversation_id: str) -> list[list[dict[str, Any]]]:
        """The event lists POSTed for a conversation, one per request."""
        return [
            r.body
            for r in self.requests
            if r.method == "POST" and r.conversation_id == conversation_id
        ]

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        events = self.events.get(conversation_id, [])
        paused, slots = False, {}
        for e in events:
            paused = {"pause": True, "resume": False}.get(e["event"], paused)
            if e["event"] == "slot":
                slots[e["name"]] = e["value"]
        return {"sender_id": conversation_id, "paused": paused, "slots": slots, "events": events}


def _handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            if not parts.path.startswith(PREFIX):
                return self._answer(404, {"status": "failure"})
            conversation_id, _, tail = parts.path[len(PREFIX) :].partition("/")
            conversation_id = unquote(conversation_id)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            fake.requests.append(Request(method, conversation_id, "/" + tail, query, body))
            if fake.fail_with:
                return self._answer(fake.fail_with, {"status": "failure", "message": "boom"})
            if method == "POST" and tail == "tracker/events":
                for event in body:
                    fake.events.setdefault(conversation_id, []).append(
                        {**event, "timestamp": time.time()}
                    )
            elif method == "POST" and tail == "trigger_intent":
                # Rasa runs the intent's action; here nothing happens but the record.
                return self._answer(200, {"tracker": fake.tracker(conversation_id), "messages": []})
            elif not (method == "GET" and tail == "tracker"):
                return self._answer(404, {"status": "failure"})
            self._answer(200, fake.tracker(conversation_id))

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

    return Handler


@pytest.fixture
def fake_rasa(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRasa]:
    """A fake Rasa HTTP API on a free local port, ``JIERU_RASA_URL`` pointing at it."""
    fake = FakeRasa()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("JIERU_RASA_URL", fake.url)
    monkeypatch.delenv("JIERU_RASA_TOKEN", raising=False)
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
