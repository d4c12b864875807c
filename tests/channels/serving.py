"""What the channel tests share: a credentials file naming a channel, and a Sanic server
with channels registered as ``rasa run`` registers them, on a free loopback port.

Imported by the Rasa-environment tests only (after their ``importorskip``)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import InputChannel, register
from sanic import Sanic

# The project's channels, by name, as credentials.yml names them.
CHANNELS = {
    "app": "jieru.rasa.channels.app.AppInput",
    "web": "jieru.rasa.channels.socketio.WebChatInput",
}


def credentials_file(folder: Path, channel: str, **config: str) -> Path:
    """``folder/credentials.yml`` naming ``channel`` (a class path) with ``config``."""
    path = folder / "credentials.yml"
    settings = "".join(f"  {key}: {value}\n" for key, value in config.items())
    path.write_text(f"{channel}:\n{settings}", encoding="utf-8")
    return path


@asynccontextmanager
async def serving(
    channels: list[InputChannel], agent: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """``channels`` under ``/webhooks/`` of a Sanic app whose agent is ``agent``, served on
    a free loopback port until the block ends; yields the server's URL."""
    # Sanic rewrites its own methods at start-up once per process unless in test mode
    # (as sanic-testing sets it), which several apps in one test session need.
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"channel_test_{uuid.uuid4().hex}")
    app.ctx.agent = agent
    register(channels, app, route="/webhooks/")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # Sanic reads port 0 as "use 8000"; a bound socket gets a free one
    running = await app.create_server(sock=sock, access_log=False, return_asyncio_server=True)
    await running.startup()
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        running.close()
        await running.wait_closed()
