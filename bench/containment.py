"""Containment on the typed conversation suite (issue 13).

Plays every conversation of tests/e2e/typed/conversations.yml (written as buyers type,
no button payloads) against RUNNING servers through the authenticated app channel,
each from a freshly imported demo database and an empty tracker, and reports:

- containment: the share of conversations that end where the buyer wanted (their goal:
  filed, answered, told_when, complained, handed_off, nothing_filed - every database and
  reply check of the conversation passes) without a fallback reply (utter_ask_affirmation,
  utter_ask_rephrase, utter_default, or the channel's no-reply message) and without a
  hand-off to a human, unless a human was the goal;
- the average number of buyer turns;
- conversations that filed data the buyer did not give (a filed description or evidence
  item not found in the messages the buyer meant to give it).

    PYTHONPATH=$PWD .venv/actions/bin/python bench/containment.py --rasa-url http://127.0.0.1:5005

The token secret is JIERU_APP_JWT_SECRET (as the Rasa server's); the database is the
action server's DATABASE_URL (a SQLite file: it is restored before every conversation and
put back as it was at the end). Markdown report in bench/results/ and on stdout.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.typed.runner import (  # noqa: E402
    DEMO_ORDERS,
    GOALS,
    SUITE,
    Result,
    Runner,
    load_suite,
)


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(results: list[Result], seconds: float, rasa_url: str, suite: Path = SUITE) -> str:
    n = len(results)
    contained = [r for r in results if r.contained]
    reached = [r for r in results if r.goal_reached]
    with_fallback = [r for r in results if r.fallbacks]
    handed = [
        r for r in results if r.handed_off_at is not None and r.conversation.goal != "handed_off"
    ]
    not_given = [r for r in results if r.not_given]
    turns = sum(r.turns for r in results) / n if n else 0.0
    lines = [
        f"# Containment on {suite.stem}",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · commit {commit()} · {rasa_url} · "
        f"{n} conversations from {suite.resolve().relative_to(ROOT)} in {seconds:.0f} s",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| contained | **{len(contained)}/{n} = {100 * len(contained) / n:.1f} %** |",
        f"| goal reached (fallbacks aside) | {len(reached)}/{n} |",
        f"| with a fallback reply | {len(with_fallback)} |",
        f"| handed to a human unasked | {len(handed)} |",
        f"| filed data the buyer did not give | {len(not_given)} |",
        f"| average buyer turns | {turns:.2f} |",
        "",
        "| goal | conversations | contained |",
        "| --- | --- | --- |",
    ]
    by_goal = Counter(r.conversation.goal for r in results)
    ok_goal = Counter(r.conversation.goal for r in contained)
    lines += [f"| {g} | {by_goal[g]} | {ok_goal[g]} |" for g in GOALS if by_goal[g]]
    failed = [r for r in results if not r.contained]
    if failed:
        lines += ["", "## Not contained", ""]
        for r in failed:
            lines += [f"### {r.conversation.id}", "", "```", r.explain(), "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa-url", required=True, help="the running Rasa server")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the action server's SQLite database (default: DATABASE_URL)",
    )
    parser.add_argument(
        "--rasa-token",
        default=os.environ.get("RASA_AUTH_TOKEN"),
        help="the Rasa HTTP API token, if the server wants one (default: RASA_AUTH_TOKEN)",
    )
    parser.add_argument("--orders", type=Path, default=DEMO_ORDERS, help="the orders file")
    parser.add_argument(
        "--rebase-from",
        help="the orders file's 'as of' instant, when the servers' copy was imported with "
        "--rebase-from (scripts/run.sh); leave out when JIERU_CLOCK pins the clock",
    )
    parser.add_argument(
        "--suite",
        type=Path,
        default=SUITE,
        help="the conversations file (default: the typed suite)",
    )
    parser.add_argument("--only", nargs="*", help="conversation ids to play (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is needed")

    conversations = load_suite(args.suite)
    if args.only:
        conversations = [c for c in conversations if c.id in set(args.only)]
    started = time.monotonic()
    with Runner(
        args.rasa_url,
        args.database_url,
        rasa_token=args.rasa_token,
        orders=args.orders,
        rebase_from=args.rebase_from,
    ) as runner:
        results = []
        for c in conversations:
            result = runner.run(c)
            mark = "ok " if result.contained else "NOT"
            print(f"{mark} {c.id}", file=sys.stderr)
            results.append(result)
    text = report(results, time.monotonic() - started, args.rasa_url, args.suite)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"containment-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    print(f"report: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
