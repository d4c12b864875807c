"""A hand-off both ways in Chromium, two browser contexts against the running web
service, Rasa server and action server (scripts/test.sh stage 7, demo data): a buyer in
the widget gets angry and is handed to a person before asking; a buyer's token is
refused on the agent console; an agent logs in, takes the conversation, they exchange
messages both ways, the agent hands it back, and the bot answers the buyer's next
question. Screenshots go to ``test-artifacts/browser/`` (JIERU_ARTIFACTS overrides it).
"""

from __future__ import annotations

import pytest

from jieru.auth import make_token
from jieru.db import repository
from jieru.services import transaction
from tests.browser.test_widget_browser import (  # noqa: F401  (browser, web_url: fixtures)
    REPLY_MS,
    Widget,
    artifacts,
    browser,
    web_url,
)
from tests.web.test_console_browser import built_console  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

BUYER = "b1003"
AGENT = "e2e-agent"
ANGRY = "气死我了！！等了半个月还不发货，你们到底管不管"
# The console polls the transcript every 2 s and the queue every 5 s.
POLL_MS = 15_000


def send(widget: Widget, text: str) -> None:
    """Send without waiting for the bot, which stays silent while an agent holds the chat."""
    box = widget.page.get_by_role("textbox", name="输入您的问题")
    box.fill(text)
    box.press("Enter")
    widget.wait_until_sent(text)


def console_login(page, web_url: str, token: str) -> None:  # noqa: F811
    page.goto(f"{web_url}/console/")
    page.fill("#token", token)
    page.click("#login-form button")


def latest_handoff_id(conversation_id: str) -> int:
    with transaction() as session:
        row = repository.latest_handoff(session, conversation_id=conversation_id)
        assert row is not None, f"no hand-off for {conversation_id}"
        return row.id


def test_an_angry_buyer_an_agent_and_back_to_the_bot(browser, web_url, built_console) -> None:  # noqa: F811
    shots = artifacts()
    buyer_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    agent_context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    try:
        widget = Widget(buyer_context.new_page(), web_url, BUYER).open()
        widget.say(ANGRY)
        widget.wait_for_text("非常抱歉让您这么着急")
        widget.wait_for_text("转接人工客服")
        widget.shot("handoff-1-buyer-upset")
        handoff_id = latest_handoff_id(BUYER)
        send(widget, "人呢？")

        console = agent_context.new_page()
        console_login(console, web_url, make_token(BUYER))
        console.wait_for_selector("#status.error")
        assert console.text_content("#status") == "这里需要客服的令牌"
        assert console.is_visible("#login") and not console.is_visible("#console")
        console.screenshot(path=str(shots / "handoff-2-buyer-token-refused.png"))

        console_login(console, web_url, make_token(AGENT, role="agent"))
        queued = console.locator(f"#queue button[data-id='{handoff_id}']")
        queued.wait_for(timeout=POLL_MS)
        assert "等待接手" in queued.text_content()
        queued.click()
        console.wait_for_function(
            "id => document.querySelector('#title').textContent.startsWith('#' + id)",
            arg=handoff_id,
        )
        assert console.text_content("#summary").startswith("转人工原因：用户情绪激动（气死")
        transcript = console.locator("#transcript")
        transcript.locator(".line.buyer", has_text="人呢？").wait_for(timeout=POLL_MS)
        assert transcript.locator(".line.buyer", has_text=ANGRY).count() == 1
        console.click("#take")
        console.wait_for_function(
            "agent => document.querySelector('#title').textContent.includes(agent)", arg=AGENT
        )

        # Agent -> buyer, live in the widget.
        hello = "您好，我是客服小王，马上为您催商家发货。"
        console.fill("#reply-text", hello)
        console.click("#reply-form button")
        widget.page.locator(".jw-msg.bot", has_text=hello).wait_for(timeout=REPLY_MS)
        # Buyer -> agent, in the console's transcript.
        answer = "好的，麻烦快一点"
        send(widget, answer)
        transcript.locator(".line.buyer", has_text=answer).wait_for(timeout=POLL_MS)
        transcript.locator(".line.agent", has_text=hello).wait_for(timeout=POLL_MS)
        console.screenshot(path=str(shots / "handoff-3-agent-console.png"), full_page=True)
        widget.shot("handoff-4-buyer-with-agent")

        note = "已联系商家，明天发货"
        console.fill("#back-note", note)
        console.click("#back-form button")
        console.wait_for_function(
            "() => document.querySelector('#title').textContent.includes('已交还机器人')"
        )
        widget.wait_for_text("人工客服已为您处理完毕")
        widget.wait_for_text(f"客服留言：{note}")

        # The bot answers again: kb/'s JD answer (the facts ranked for the question).
        before = widget.bot_count()
        widget.say("京东介入在哪里")
        widget.shot("handoff-5-bot-answers-again")
        answer_text = widget.page.locator(".jw-msg.bot").nth(before).inner_text()
        assert "京东" in answer_text and "转接人工客服" not in answer_text, answer_text
        console.screenshot(path=str(shots / "handoff-6-agent-handed-back.png"), full_page=True)
    finally:
        buyer_context.close()
        agent_context.close()
