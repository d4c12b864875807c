"""The web widget's figures (issue 14): bundle size, time to the first bot message in a
browser, reply latency through the socket.

Against servers already running (./scripts/run.sh: web service :8000, Rasa :5005) with
the same ``JIERU_APP_JWT_SECRET`` in the environment:

    JIERU_APP_JWT_SECRET=... .venv/actions/bin/python bench/widget.py --buyers 1 10

- bundle: web/widget/dist/jieru-widget.js, raw and gzip -9;
- first bot message: a fresh Chromium context (no cache, no cookies) opens the demo
  page; milliseconds from navigation start until the first bot message is in the
  widget's DOM (token fetch, socket connect, history, the bot's first words);
- reply latency: N buyers at once, each a python-socketio client over websocket with
  its own token (a fresh buyer id per run), send ``--turns`` questions one after
  another; per turn the time from sending to the first bot message and to the end of
  the reply (the typing indicator off).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import sys
import time
import uuid
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jieru.auth import make_token  # noqa: E402
from tests.browser.chromium import CHROMIUM, FLAGS  # noqa: E402

BUNDLE = ROOT / "web/widget/dist/jieru-widget.js"
QUESTIONS = ["京东介入在哪里", "淘宝介入要多久", "卖家拒绝退款怎么办", "拼多多怎么申请平台介入"]


def bundle() -> None:
    raw = BUNDLE.read_bytes()
    print(
        f"bundle {BUNDLE.relative_to(ROOT)}: {len(raw) / 1024:.1f} KiB raw, "
        f"{len(gzip.compress(raw, 9)) / 1024:.1f} KiB gzipped"
    )


FIRST_BOT_JS = """
() => new Promise(resolve => {
  const seen = () => document.querySelector('.jw-msg.bot');
  if (seen()) return resolve(performance.now());
  new MutationObserver((_, o) => { if (seen()) { o.disconnect(); resolve(performance.now()); } })
    .observe(document.documentElement, {childList: true, subtree: true});
})
"""


def first_bot_message(web: str, buyer: str, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        for _ in range(runs):
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            page.goto(f"{web}/?buyer={buyer}")
            times.append(page.evaluate(FIRST_BOT_JS))
            context.close()
        browser.close()
    print(
        f"first bot message after page load ({buyer}, {runs} fresh browser contexts): "
        f"first {times[0]:.0f} ms, median {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms"
    )


async def one_buyer(rasa: str, buyer: str, turns: int, first: list, full: list) -> None:
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: replies.put_nowait(("bot", time.perf_counter())))
    client.on(
        "bot_typing",
        lambda data: replies.put_nowait(
            ("done", time.perf_counter()) if not data.get("typing") else ("typing", 0)
        ),
    )
    await client.connect(rasa, auth={"token": make_token(buyer)}, transports=["websocket"])
    try:
        for i in range(turns):
            sent = time.perf_counter()
            await client.emit(
                "user_uttered", {"message": QUESTIONS[i % len(QUESTIONS)], "id": uuid.uuid4().hex}
            )
            got_first = None
            while True:
                kind, at = await asyncio.wait_for(replies.get(), timeout=60)
                if kind == "bot" and got_first is None:
                    got_first = at
                if kind == "done":
                    break
            first.append((got_first or at) - sent)
            full.append(at - sent)
    finally:
        await client.disconnect()


async def latency(rasa: str, buyers: int, turns: int) -> None:
    first: list[float] = []
    full: list[float] = []
    run = uuid.uuid4().hex[:6]
    started = time.perf_counter()
    await asyncio.gather(
        *(one_buyer(rasa, f"bench-{run}-{i}", turns, first, full) for i in range(buyers))
    )
    wall = time.perf_counter() - started

    def ms(values: list[float], q: float) -> str:
        values = sorted(values)
        return f"{values[min(len(values) - 1, int(q * len(values)))] * 1000:.0f} ms"

    print(
        f"{buyers:>3} buyers x {turns} turns: first message p50 {ms(first, 0.5)} p95 {ms(first, 0.95)}; "
        f"whole reply p50 {ms(full, 0.5)} p95 {ms(full, 0.95)}; {len(full) / wall:.1f} turns/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", default="http://127.0.0.1:8000")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--buyer", default="b1006", help="demo buyer of the page-load runs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--buyers", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--turns", type=int, default=8)
    args = parser.parse_args()
    bundle()
    first_bot_message(args.web, args.buyer, args.runs)
    for n in args.buyers:
        asyncio.run(latency(args.rasa, n, args.turns))


if __name__ == "__main__":
    main()
