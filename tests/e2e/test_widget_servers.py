"""The widget's bot side against the running Rasa and action servers (scripts/test.sh
stage 7, demo data): the disputes shown on /open_chat, the receipt of a file uploaded
through POST /api/evidence, and a due reminder, both delivered through Rasa's HTTP API
(trigger_intent) into the buyer's conversation."""

from __future__ import annotations

import time
from datetime import datetime

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jieru.auth import make_token
from jieru.config import now
from jieru.db import reminders as reminder_rows
from jieru.db.session import get_sessionmaker
from jieru.web import reminders as poller
from jieru.web.uploads import router
from tests.e2e.test_app_conversations import Buyer
from tests.services.images import photo

pytestmark = pytest.mark.servers


def bot_texts(base_url: str, conversation: str) -> list[str]:
    events = httpx.get(f"{base_url}/conversations/{conversation}/tracker", timeout=30).json()[
        "events"
    ]
    return [e.get("text") or "" for e in events if e["event"] == "bot"]


def wait_for(base_url: str, conversation: str, fragment: str, seconds: float = 20) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        texts = bot_texts(base_url, conversation)
        if any(fragment in t for t in texts):
            return texts
        time.sleep(0.5)
    raise AssertionError(
        f"the bot never said {fragment!r} in {conversation}: {bot_texts(base_url, conversation)}"
    )


def test_on_open_the_buyer_sees_their_disputes_as_buttons(base_url):
    # b1003's tablet case is in Taobao intervention (demo data): its button checks progress.
    messages = Buyer(base_url, "b1003").say("/open_chat")
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert any(
        b["payload"] == '/check_progress{"order_id": "3906789012345"}'
        and b["title"].startswith("平板电脑保护壳")
        for b in buttons
    ), buttons


def test_an_uploaded_photo_is_acknowledged_in_the_conversation(base_url, monkeypatch, tmp_path):
    monkeypatch.setenv("JIERU_EVIDENCE_DIR", str(tmp_path))
    Buyer(base_url, "b1003").say("/open_chat")
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:  # background tasks run before the call returns
        reply = client.post(
            "/api/evidence",
            headers={"Authorization": f"Bearer {make_token('b1003')}"},
            files={"file": ("a.jpg", photo(), "image/jpeg")},
            data={"intervention": "TBJR-20261114-0007"},
        )
    assert reply.status_code == 201, reply.text
    wait_for(base_url, "b1003", "已附到介入单 TBJR-20261114-0007")


async def test_a_due_reminder_reaches_the_conversation(base_url):
    Buyer(base_url, "b1001").say("/open_chat")
    at: datetime = now()
    with get_sessionmaker().begin() as session:
        reminder_rows.schedule(
            session,
            buyer_id="b1001",
            conversation_id="b1001",
            order_id="250312345678",
            aftersale_id="AS-70001",
            due_at=at,
            actor="test",
            now=at,
        )
    assert await poller.fire_due() >= 1
    # Eligible now, or already filed by another test: either way the bot speaks about it.
    wait_for(base_url, "b1001", "蓝牙耳机")
    assert any(
        t.startswith(("现在可以申请介入了", "您让我提醒的订单有了变化"))
        for t in bot_texts(base_url, "b1001")
    )
