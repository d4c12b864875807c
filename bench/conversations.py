"""Replay whole conversations through the authenticated app channel with N concurrent
buyers, actions and database included; report per-turn latency, throughput, errors and
the RSS of each server process.

    .venv/actions/bin/python bench/conversations.py --buyers 1 10 50 [--think 1 4]

Without ``--think`` every buyer sends the next message the moment the reply arrives
(a saturation test: N requests always in flight). With ``--think LOW HIGH`` each buyer
pauses a random LOW..HIGH seconds before each message, as a person reading the reply
and typing does; the pauses are not counted in the latencies.

It starts its own action and Rasa servers (through docker/entrypoint-*.sh, on free
loopback ports) on a throw-away SQLite database holding a copy of the demo orders for
every simulated buyer, needs a trained model in models/, and stops everything itself.
Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx
import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEMO_AS_OF = "2026-11-20T12:00:00+08:00"
TEMPLATE_BUYER = "b1001"

# A realistic mix: a dispute filed end to end, knowledge questions, progress, hand-off.
# "@1" sends the payload of the first button of the previous reply.
CONVERSATIONS: list[list[str]] = [
    [
        "你好",
        "卖家拒绝退款怎么办",
        "@1",
        "好的",
        "/report_refund_refused",
        "耳机左耳没声音，卖家说是人为损坏不给退",
        "有聊天记录和照片",
        "/affirm",
        "谢谢",
    ],
    ["京东介入在哪里申请", "介入一般多久出结果", "申请介入对卖家有影响吗", "好的拜拜"],
    ["查一下我的售后进度", "淘寶退貨賣家不退款怎麼辦", "@1"],
    ["换货寄回去了商家一直不发新的", "@1", "转人工"],
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def buyer_id(n: int) -> str:
    """The n-th simulated buyer. Unique to this process, so a tracker store that outlives
    the bench (Redis) never hands a buyer an earlier run's conversation."""
    return f"bench{os.getpid()}-{n:03d}"


def bench_orders(buyers: int) -> dict:
    """The demo data plus a copy of b1001's orders for each simulated buyer."""
    demo = json.loads((ROOT / "demo" / "orders.json").read_text("utf-8"))
    template = [o for o in demo["orders"] if o["buyer_id"] == TEMPLATE_BUYER]
    data = copy.deepcopy(demo)
    for n in range(buyers):
        buyer = buyer_id(n)
        data["buyers"].append({"id": buyer, "name": f"压测用户{n}"})
        for order in copy.deepcopy(template):
            order["id"] = f"9{n:03d}{order['id'][-12:]}"[:20]
            order["buyer_id"] = buyer
            for a in order.get("aftersales", []):
                a["id"] = f"{buyer}-{a['id']}"
                for i in a.get("interventions", []):
                    i["number"] = f"{buyer}-{i['number']}"
            data["orders"].append(order)
    return data


class Servers:
    """The action and Rasa servers, started from the images' entrypoints."""

    def __init__(self, workdir: Path, buyers: int, endpoints: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "JIERU_CLOCK": DEMO_AS_OF,
            "JIERU_APP_JWT_SECRET": secrets.token_hex(16),
            "RASA_TELEMETRY_ENABLED": "false",
        }
        self.env.pop("JIERU_DEV_BUYER", None)
        self.actions_port, self.rasa_port = free_port(), free_port()
        orders = workdir / "orders.json"
        orders.write_text(json.dumps(bench_orders(buyers), ensure_ascii=False), "utf-8")
        jieru = ROOT / ".venv" / "actions" / "bin" / "jieru"
        subprocess.run([jieru, "db", "upgrade"], env=self.env, check=True, capture_output=True)
        subprocess.run(
            [jieru, "import-orders", str(orders)], env=self.env, check=True, capture_output=True
        )
        # The endpoints given (tracker and lock stores) with this run's action server.
        config = yaml.safe_load(endpoints.read_text("utf-8"))
        config["action_endpoint"] = {"url": f"http://127.0.0.1:{self.actions_port}/webhook"}
        (workdir / "endpoints.yml").write_text(yaml.safe_dump(config), "utf-8")
        log = open(workdir / "servers.log", "w")  # noqa: SIM115 - lives as long as the servers
        self.actions = self._start("actions", self.actions_port, log)
        self.rasa = self._start(
            "rasa", self.rasa_port, log, JIERU_ENDPOINTS=str(workdir / "endpoints.yml")
        )
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self._wait(f"http://127.0.0.1:{self.actions_port}/health", 120)
        self._wait(f"{self.url}/status", 300)

    def _start(self, server: str, port: int, log: IO[str], **env: str) -> subprocess.Popen:
        """``docker/entrypoint-<server>.sh`` on ``port``, run from ``.venv/<server>``."""
        return subprocess.Popen(
            [ROOT / "docker" / f"entrypoint-{server}.sh"],
            stdout=log,
            stderr=log,
            env={
                **self.env,
                "JIERU_BIN": str(ROOT / ".venv" / server / "bin"),
                "PORT": str(port),
                **env,
            },
        )

    @staticmethod
    def _wait(url: str, seconds: int) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError(f"{url} did not come up in {seconds}s")

    def rss_mib(self) -> dict[str, float]:
        """Resident memory of each server, children included."""
        out = {}
        for name, proc in (("actions", self.actions), ("rasa", self.rasa)):
            p = psutil.Process(proc.pid)
            out[name] = sum(q.memory_info().rss for q in [p, *p.children(recursive=True)]) / 2**20
        return out

    def token(self, buyer: str) -> str:
        out = subprocess.run(
            [ROOT / ".venv" / "actions" / "bin" / "jieru", "token", buyer, "--minutes", "60"],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    def stop(self) -> None:
        for proc in (self.rasa, self.actions):
            proc.terminate()
        for proc in (self.rasa, self.actions):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def buyer_session(
    client: httpx.AsyncClient,
    token: str,
    think: tuple[float, float] | None,
    latencies: list[float],
    errors: list[str],
) -> None:
    """One buyer going through every conversation of the mix, turn after turn."""
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(token)
    for conversation in CONVERSATIONS:
        buttons: list[dict] = []
        for turn in conversation:
            if think:
                await asyncio.sleep(rng.uniform(*think))
            text = buttons[0]["payload"] if turn == "@1" and buttons else turn
            start = time.perf_counter()
            try:
                reply = await client.post(
                    "/webhooks/app/webhook", json={"message": text}, headers=headers
                )
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} on {text!r}")
                buttons = []
                continue
            latencies.append(time.perf_counter() - start)
            messages = reply.json() if reply.status_code == 200 else []
            if not messages:
                errors.append(f"{reply.status_code} {text!r} -> {reply.text[:120]}")
            buttons = [b for m in messages for b in (m.get("buttons") or [])]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_level(
    servers: Servers, first: int, buyers: int, think: tuple[float, float] | None
) -> dict:
    """``buyers`` concurrent buyers (bench<first>…), each new to the bot."""
    tokens = [servers.token(buyer_id(n)) for n in range(first, first + buyers)]
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=buyers + 5)
    async with httpx.AsyncClient(base_url=servers.url, timeout=120, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(buyer_session(client, t, think, latencies, errors) for t in tokens))
        wall = time.perf_counter() - start
    rss = servers.rss_mib()
    return {
        "buyers": buyers,
        "think_s": list(think) if think else None,
        "turns": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:3],
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "turns_per_s": round(len(latencies) / wall, 1),
        "rss_mib": {k: round(v) for k, v in rss.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        metavar=("LOW", "HIGH"),
        help="seconds each buyer pauses before a message (default: none)",
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=ROOT / "endpoints.yml",
        help="endpoints file whose tracker and lock stores to use (default: the project's); "
        "its action_endpoint is replaced by the bench's own action server",
    )
    args = parser.parse_args()
    if not (ROOT / "models").is_dir():
        sys.exit("no model in models/: run scripts/run.sh or scripts/test.sh first")
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(Path(tmp), sum(args.buyers), args.endpoints)
        try:
            results, first = [], 0
            for n in args.buyers:
                # Each level has buyers of its own, so every conversation starts fresh.
                result = asyncio.run(
                    run_level(servers, first, n, tuple(args.think) if args.think else None)
                )
                first += n
                results.append(result)
                print(json.dumps(result, ensure_ascii=False), flush=True)
        finally:
            servers.stop()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"conversations{'-think' if args.think else ''}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), "utf-8"
    )
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
