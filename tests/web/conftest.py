"""The upload router in a FastAPI app, tokens, and a stand-in for the Rasa server's HTTP
API: a real HTTP server on a free port that records what the web service sends it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.channels.tokens import SECRET, in_minutes, signed
from tests.services.conftest import widget_db  # noqa: F401  (a fixture)


class RecordingRasa(ThreadingHTTPServer):
    """Answers every POST 200 with an empty tracker, or ``status`` when set."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: RecordingRasa

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        self.server.requests.append({"path": self.path, "json": json.loads(body or b"null")})
        payload = json.dumps({"tracker": {}}).encode()
        self.send_response(self.server.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def rasa(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingRasa]:
    server = RecordingRasa()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("JIERU_RASA_URL", server.url)
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, widget_db) -> Iterator[TestClient]:  # noqa: F811
    from jieru.web.uploads import router

    monkeypatch.setenv("JIERU_APP_JWT_SECRET", SECRET)
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client


def bearer(buyer: str = "b1001", **claims) -> dict[str, str]:
    return {"Authorization": "Bearer " + signed({"sub": buyer, "exp": in_minutes(10), **claims})}
