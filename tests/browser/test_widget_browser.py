"""The widget in a real browser (Debian's chromium driven by Playwright) against the
running web service, Rasa server and action server (scripts/test.sh stage 7, demo data).

Each test is one demo buyer, so the conversations do not meet; the first test files
an intervention, so it passes once per fresh database (as stage 7 starts with). Screenshots go to
``test-artifacts/browser/`` (JIERU_ARTIFACTS overrides it).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from PIL import Image

from jieru.config import PROJECT_ROOT
from tests.browser.chromium import CHROMIUM, FLAGS

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

REPLY_MS = 30_000
MESSAGES = yaml.safe_load((PROJECT_ROOT / "kb/widget.yml").read_text(encoding="utf-8"))["uploads"][
    "messages"
]


def artifacts() -> Path:
    path = Path(os.environ.get("JIERU_ARTIFACTS") or PROJECT_ROOT / "test-artifacts") / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def web_url() -> str:
    url = os.environ.get("JIERU_WEB_URL")
    if not url:
        pytest.skip("JIERU_WEB_URL not set: run through scripts/test.sh")
    return url.rstrip("/")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (scripts/test.sh installs Debian's chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield browser
        browser.close()


class Widget:
    """The demo page of one buyer with the widget opened."""

    def __init__(self, page, web_url: str, buyer: str) -> None:
        self.page, self.url = page, f"{web_url}/?buyer={buyer}"
        self.dialogs: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self) -> Widget:
        self.page.goto(self.url)
        self.page.get_by_role("button", name=re.compile("打开客服对话")).click()
        self.page.get_by_role("dialog", name="介入助手").wait_for()
        return self

    @property
    def log(self):
        return self.page.get_by_role("log", name="对话记录")

    def bot_count(self) -> int:
        return self.page.locator(".jw-msg.bot").count()

    def say(self, text: str) -> None:
        before = self.bot_count()
        box = self.page.get_by_role("textbox", name="输入您的问题")
        box.fill(text)
        box.press("Enter")
        self.wait_for_bot(before)

    def click(self, title: str | re.Pattern) -> None:
        before = self.bot_count()
        self.page.locator(".jw-replies").get_by_role("button", name=title).click()
        self.wait_for_bot(before)

    def wait_for_bot(self, before: int) -> None:
        self.page.wait_for_function(
            "n => document.querySelectorAll('.jw-msg.bot').length > n", arg=before, timeout=REPLY_MS
        )
        # The rest of the reply (several messages) follows within the same turn.
        self.page.locator(".jw-typing").wait_for(state="hidden", timeout=REPLY_MS)

    def wait_until_sent(self, text: str) -> None:
        """Wait until the buyer's latest message ``text`` is no longer shown as pending.

        The widget redraws its log on every change, so this looks the message up again
        on every poll rather than holding an element that a redraw detaches."""
        self.page.wait_for_function(
            """t => {
                const mine = [...document.querySelectorAll('.jw-msg.user')]
                    .filter(m => m.querySelector('.jw-bubble')?.textContent === t);
                return mine.length > 0 && !mine[mine.length - 1].textContent.includes('发送中');
            }""",
            arg=text,
            timeout=REPLY_MS,
        )

    def wait_for_text(self, text: str) -> None:
        self.log.get_by_text(text, exact=False).first.wait_for(timeout=REPLY_MS)

    def upload(self, name: str, data: bytes, mime: str) -> None:
        with self.page.expect_file_chooser() as chooser:
            self.page.get_by_role("button", name="上传照片或截图").click()
        chooser.value.set_files({"name": name, "mimeType": mime, "buffer": data})

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(artifacts() / f"{name}.png"), full_page=True)


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    yield context
    context.close()


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_ask_pick_the_order_file_with_a_photo_and_reload(context, web_url) -> None:
    widget = Widget(context.new_page(), web_url, "b1004").open()
    widget.say("卖家拒绝退款怎么办")
    widget.wait_for_text("您说的是哪一笔订单")
    widget.click(re.compile("纯棉四件套"))
    widget.wait_for_text("要我现在帮您提交平台介入申请吗")
    widget.click(re.compile("帮我申请介入"))
    widget.say("四件套洗一次就严重掉色，申请退款被商家拒绝")
    widget.say("有聊天记录和照片")
    widget.wait_for_text("请确认介入申请")
    # Typed, not clicked: the button's title sends its payload.
    widget.say("确认提交")
    widget.wait_for_text("介入单号 JR")
    widget.upload("掉色.jpg", photo_bytes(), "image/jpeg")
    widget.page.locator(".jw-msg.system", has_text="已收到").wait_for(timeout=REPLY_MS)
    # The bot's own receipt, sent into the conversation through the web channel.
    widget.page.locator(".jw-msg.bot", has_text="已附到介入单").wait_for(timeout=REPLY_MS)
    widget.shot("intervention-filed")
    shown = widget.log.inner_text()

    widget.page.reload()
    widget.page.get_by_role("button", name=re.compile("打开客服对话")).click()
    widget.wait_for_text("介入单号 JR")
    widget.page.wait_for_function("() => !document.querySelector('.jw-status').textContent")
    reloaded = widget.log.inner_text()
    for line in (
        "卖家拒绝退款怎么办",
        "纯棉四件套",
        "四件套洗一次就严重掉色",
        "介入单号 JR",
        # Pinduoduo: no source names its evidence, so the photo is kept off the checklist.
        "收到一份凭证",
    ):
        assert line in reloaded
    assert reloaded.count("四件套洗一次就严重掉色，申请退款被商家拒绝") == shown.count(
        "四件套洗一次就严重掉色，申请退款被商家拒绝"
    )
    assert "/open_chat" not in reloaded and "/affirm" not in reloaded
    widget.shot("after-reload")


def test_markup_in_a_message_is_shown_as_text(context, web_url) -> None:
    # Not b1003: the hand-off test leaves an agent holding that buyer's chat if it fails.
    widget = Widget(context.new_page(), web_url, "b1001").open()
    attack = "<img src=x onerror=alert(1)>"
    widget.say(attack)
    bubble = widget.page.locator(".jw-msg.user .jw-bubble", has_text=attack).last
    assert bubble.inner_text() == attack
    assert widget.page.locator(".jieru-w img").count() == 0
    assert widget.page.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0
    assert widget.dialogs == []
    widget.shot("markup-as-text")


def test_too_large_and_disguised_files_are_refused(context, web_url) -> None:
    widget = Widget(context.new_page(), web_url, "b1004").open()
    widget.upload("大图.jpg", b"\xff\xd8\xff\xe0" + os.urandom(6 * 1024 * 1024), "image/jpeg")
    too_large = MESSAGES["too_large"].format(max_mb=5)
    widget.page.locator(".jw-msg.system", has_text=too_large).wait_for(timeout=REPLY_MS)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(4096)
    widget.upload("照片.jpg", exe, "image/jpeg")
    widget.page.locator(".jw-msg.system", has_text=MESSAGES["not_image"]).wait_for(timeout=REPLY_MS)
    widget.shot("uploads-refused")


def test_mobile_viewport_fills_the_screen(browser, web_url) -> None:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    try:
        widget = Widget(context.new_page(), web_url, "b1006").open()
        box = widget.page.get_by_role("dialog", name="介入助手").bounding_box()
        assert box is not None and (box["x"], box["y"]) == (0, 0)
        assert (round(box["width"]), round(box["height"])) == (375, 667)
        widget.say("京东介入在哪里")
        assert widget.bot_count() >= 1
        widget.shot("mobile")
    finally:
        context.close()


def said_by_buyer(page) -> list[str]:
    """What the buyer said, as the server's tracker has it (the widget's history call)."""
    history = page.evaluate(
        "() => window.jieruWidget.instance.socket.timeout(10000).emitWithAck('history_request', {})"
    )
    return [m["text"] for m in history["messages"] if m["from"] == "user"]


def test_a_dropped_connection_loses_nothing_and_sends_nothing_twice(context, web_url) -> None:
    widget = Widget(context.new_page(), web_url, "b1005").open()
    widget.say("京东介入在哪里")
    page = widget.page
    text = "退货寄回去了卖家不退钱"
    said_before = said_by_buyer(page).count(text)
    context.set_offline(True)
    # Drop the live socket too (offline stops new connections, not an open websocket).
    page.evaluate("() => window.jieruWidget.instance.socket.io.engine.close()")
    page.locator(".jw-status", has_text="网络已断开").wait_for()
    box = page.get_by_role("textbox", name="输入您的问题")
    box.fill(text)
    box.press("Enter")
    pending = page.locator(".jw-msg.user", has_text=text).last
    assert "发送中" in pending.inner_text()
    widget.shot("offline-pending")
    before = widget.bot_count()
    context.set_offline(False)
    widget.wait_for_bot(before)
    page.wait_for_function("() => !document.querySelector('.jw-status').textContent")
    assert "发送中" not in pending.inner_text()
    # Once in the tracker and once on the page, however often it was sent.
    assert said_by_buyer(page).count(text) == said_before + 1
    assert page.locator(".jw-msg.user", has_text=text).count() == said_before + 1
    widget.shot("reconnected")


def test_keyboard_only_and_the_unread_badge_of_a_collapsed_tab(context, web_url) -> None:
    page = context.new_page()
    widget = Widget(page, web_url, "b1002")
    page.goto(widget.url)
    launcher = page.get_by_role("button", name=re.compile("打开客服对话"))
    launcher.focus()
    page.keyboard.press("Enter")
    page.get_by_role("dialog", name="介入助手").wait_for()
    box = page.get_by_role("textbox", name="输入您的问题")
    assert box.evaluate("el => el === document.activeElement")
    before = widget.bot_count()
    page.keyboard.type("淘宝介入要多久")
    page.keyboard.press("Enter")
    widget.wait_for_bot(before)
    page.keyboard.press("Escape")
    page.get_by_role("dialog", name="介入助手").wait_for(state="hidden")
    assert launcher.evaluate("el => el === document.activeElement")
    assert launcher.get_attribute("aria-expanded") == "false"

    # The same buyer in a second tab: the first, collapsed, counts the bot's replies.
    other = Widget(context.new_page(), web_url, "b1002").open()
    other.say("京东介入在哪里")
    badge = page.locator(".jw-badge")
    badge.wait_for(state="visible", timeout=REPLY_MS)
    assert int(badge.inner_text()) >= 1
    assert "未读" in launcher.get_attribute("aria-label")
    widget.shot("unread-badge")
    page.keyboard.press("Enter")  # the launcher still has the focus
    assert badge.is_hidden()
    assert "京东介入在哪里" in widget.log.inner_text()


def test_a_message_whose_acknowledgement_is_lost_is_sent_again_once(context, web_url) -> None:
    page = context.new_page()
    text = "淘宝介入要多久出结果"
    ids: list[str] = []  # the socket.io message id the widget gave ``text``
    dropped: list[str] = []

    def relay(ws) -> None:
        # Between the widget and the Rasa server, drop the server's first acknowledgement
        # of ``text`` (a socket.io ack frame, "43<n>[...]", naming the message's id), as a
        # slow or lossy network would.
        server = ws.connect_to_server()

        def to_server(frame) -> None:
            if isinstance(frame, str) and frame.startswith("42") and text in frame:
                ids.append(json.loads(frame[frame.index("[") :])[1]["id"])
            server.send(frame)

        def to_page(frame) -> None:
            if isinstance(frame, str) and frame.startswith("43") and ids and ids[0] in frame:
                if not dropped:
                    dropped.append(frame)
                    return
            ws.send(frame)

        ws.on_message(to_server)
        server.on_message(to_page)

    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    widget = Widget(page, web_url, "b1002").open()
    said_before = said_by_buyer(page).count(text)
    widget.say(text)
    # The widget's ack timeout is 10 s; the repeat is answered "duplicate".
    widget.wait_until_sent(text)
    assert len(dropped) == 1 and '"accepted"' in dropped[0]
    assert len(ids) == 2 and ids[0] == ids[1]  # sent twice, under one id
    # Once on the page and once in the tracker, though sent twice.
    assert page.locator(".jw-msg.user", has_text=text).count() == said_before + 1
    assert said_by_buyer(page).count(text) == said_before + 1
