"""A terminal chat client for the app channel: what ``scripts/run.sh`` opens."""

from __future__ import annotations

import httpx


def _show(messages: list[dict]) -> list[dict]:
    """Print the bot's messages; return their buttons, numbered from 1 as printed."""
    buttons: list[dict] = []
    for message in messages:
        if message.get("text"):
            print(f"助手：{message['text']}")
        for button in message.get("buttons") or []:
            buttons.append(button)
            print(f"   [{len(buttons)}] {button['title']}")
    return buttons


def run_chat(url: str, token: str) -> int:
    """Read lines, send them through the authenticated app channel, print replies.
    A number picks a button of the last reply; Ctrl-C or Ctrl-D ends."""
    print("输入消息后回车发送；输入按钮前的数字可点选按钮；Ctrl-C 退出。")
    buttons: list[dict] = []
    with httpx.Client(
        base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        while True:
            try:
                text = input("您：")
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            choice = text.strip()
            if choice.isdigit() and 1 <= int(choice) <= len(buttons):
                text = buttons[int(choice) - 1]["payload"]
            try:
                reply = client.post("/webhooks/app/webhook", json={"message": text})
            except httpx.HTTPError as exc:
                print(f"（连接失败：{exc}）")
                continue
            if reply.status_code != 200:
                print(f"（服务器返回 {reply.status_code}：{reply.text[:200]}）")
                continue
            buttons = _show(reply.json())
