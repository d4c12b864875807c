"""The agent console in Chromium (Debian's, through Playwright): a buyer's token is
refused; an agent logs in, sees the queue oldest first, takes a conversation, inserts a
suggested reply with one click and sends it, a second agent's take is refused with a
clear message, and the agent hands the conversation back. Screenshots go to
results/console/ (JIERU_ARTEFACTS overrides the folder)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from jieru.auth import make_token
from jieru.config import PROJECT_ROOT
from jieru.services.handoff import hand_off
from jieru.web import console
from jieru.web.agents import buyer_router, router
from tests.browser.chromium import CHROMIUM, FLAGS
from tests.services.agents_fixtures import BUYER, ORDER

SECRET = "test-secret-for-the-console-0123456789"
ARTEFACTS = Path(os.environ.get("JIERU_ARTEFACTS") or PROJECT_ROOT / "results") / "console"


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def built_console() -> None:
    """The console bundle, built from the committed lock file when missing or stale."""
    _need(shutil.which("npm") is not None, "npm is not installed")
    bundle = console.CONSOLE_DIR / "dist" / "console.js"
    sources = list((console.CONSOLE_DIR / "src").glob("*.js"))
    if not (console.CONSOLE_DIR / "node_modules").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=console.CONSOLE_DIR,
            check=True,
            timeout=300,
        )
    if not bundle.exists() or any(s.stat().st_mtime > bundle.stat().st_mtime for s in sources):
        subprocess.run(["npm", "run", "build"], cwd=console.CONSOLE_DIR, check=True, timeout=120)


@pytest.fixture
def web(agents_db, fake_rasa, monkeypatch, built_console) -> Iterator[str]:
    """The agent API and the console page served by uvicorn on a free port."""
    monkeypatch.setenv("JIERU_APP_JWT_SECRET", SECRET)
    app = FastAPI()
    for r in (router, buyer_router, console.router):
        app.include_router(r)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # ws="none": the console polls over HTTP, and rasa-sdk pins an older websockets.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def browser():
    _need(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


def _login(page, base: str, token: str) -> None:
    page.goto(f"{base}/console")
    page.fill("#token", token)
    page.click("#login-form button")


def test_console_from_login_to_hand_back(web, browser, fake_rasa, request):
    # The SQLite run is the browser test; the database itself is tested on both elsewhere.
    if "postgres" in request.node.name:
        pytest.skip("the browser run needs one database")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    first = hand_off(
        conversation_id=BUYER,
        buyer_id=BUYER,
        reason="request_human",
        summary="问题：卖家拒绝退款\n订单：250399887766（京东）",
        order_id=ORDER,
        problem="report_refund_refused",
    )
    hand_off(
        conversation_id="b2", buyer_id="b2", reason="request_human", summary="（用户直接要求人工）"
    )
    fake_rasa.say(BUYER, "user", "卖家拒绝退款了，<b>怎么办</b>")

    buyer_page = browser.new_context().new_page()
    _login(buyer_page, web, make_token(BUYER, secret=SECRET))
    buyer_page.wait_for_selector("#status.error")
    assert buyer_page.text_content("#status") == "这里需要客服的令牌"
    assert buyer_page.is_visible("#login") and not buyer_page.is_visible("#console")
    buyer_page.screenshot(path=str(ARTEFACTS / "buyer-token-refused.png"))

    alice = browser.new_context().new_page()
    _login(alice, web, make_token("alice", role="agent", secret=SECRET))
    alice.wait_for_selector("#queue li button")
    rows = alice.locator("#queue li button").all_text_contents()
    assert rows[0].startswith(f"#{first} 等待接手") and len(rows) == 2
    alice.click(f"#queue button[data-id='{first}']")
    alice.wait_for_selector("#transcript .line")
    # Markup in a buyer's message is shown as text, never parsed.
    assert alice.text_content("#transcript .line.buyer p") == "卖家拒绝退款了，<b>怎么办</b>"
    assert alice.locator("#transcript b").count() == 0
    alice.click("#take")
    alice.wait_for_function("document.querySelector('#title').textContent.includes('alice')")
    assert alice.text_content("#status") == "已接手"
    assert "规则 jd." in alice.text_content("#decision")
    assert "交易纠纷" in alice.text_content("#click-path")

    bob = browser.new_context().new_page()
    _login(bob, web, make_token("bob", role="agent", secret=SECRET))
    bob.wait_for_selector(f"#queue button[data-id='{first}']")
    bob.click(f"#queue button[data-id='{first}']")
    bob.wait_for_selector("#title:not(:empty)")
    bob.click("#take")
    bob.wait_for_selector("#status.error")
    assert bob.text_content("#status") == "这个会话已经被 alice 接手了"
    bob.screenshot(path=str(ARTEFACTS / "second-agent-refused.png"))

    suggestion = alice.locator("#replies li").first
    suggested = suggestion.locator("p").text_content()
    suggestion.locator("button").click()
    assert alice.input_value("#reply-text") == suggested
    alice.click("#reply-form button")
    alice.wait_for_selector("#transcript .line.agent")
    assert fake_rasa.appended(BUYER)[0] == [
        {"event": "bot", "text": suggested, "metadata": {"jieru_agent": "alice"}}
    ]
    assert alice.text_content("#transcript .line.agent p") == suggested
    alice.screenshot(path=str(ARTEFACTS / "agent-conversation.png"), full_page=True)

    alice.fill("#back-note", "商家已同意重新处理")
    alice.click("#back-form button")
    alice.wait_for_function("document.querySelector('#title').textContent.includes('已交还机器人')")
    resumed = fake_rasa.appended(BUYER)[-1]
    assert resumed[0] == {"event": "resume"}
    assert {"event": "slot", "name": "order_id", "value": ORDER} in resumed
    assert {"event": "slot", "name": "agent_note", "value": "商家已同意重新处理"} in resumed
    alice.screenshot(path=str(ARTEFACTS / "handed-back.png"), full_page=True)
