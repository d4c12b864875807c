"""Parse latency of a trained model behind `rasa run --enable-api` (127.0.0.1 only).

Usage: .venv/rasa/bin/python bench/nlu/parse_latency.py [--model PATH] [--n 1000]
Without --model it trains bot/config.yml on bot/data/nlu first. Sends N varied
messages to /model/parse one by one; prints p50/p99, model size and server RSS,
then stops the server it started.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_domain import write_domain  # noqa: E402
from run import RASA, ROOT, load_eval, train  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def messages(n: int) -> list[str]:
    """Held-out sentences, their traditional forms and variants with order numbers and emoji."""
    import opencc

    rng = random.Random(7)
    base = [e["text"] for e in load_eval()]
    trad = [opencc.OpenCC("s2twp").convert(t) for t in base]
    pool = base + trad
    while len(pool) < n:
        text = rng.choice(base)
        pool.append(
            rng.choice(
                [
                    f"{text} 订单号{rng.randrange(10**11, 10**13)}",
                    f"{text}😡😡",
                    f"在{rng.choice(['狗东', '某宝', 'pdd', '咸鱼', '天貓'])}上 {text}",
                ]
            )
        )
    rng.shuffle(pool)
    return pool[:n]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def parse(url: str, text: str) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jieru-nlu-latency-"))
    model = args.model.resolve() if args.model else None  # the server runs in another folder
    if model is None:
        train(
            ROOT / "bot/config.yml",
            ROOT / "bot/data/nlu",
            write_domain(work / "domain.yml", ROOT / "bot/data/nlu"),
            work,
            "jieru",
        )
        model = work / "jieru.tar.gz"

    port = free_port()
    server = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--enable-api",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "--model",
            str(model),
        ],
        cwd=work,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/model/parse"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                parse(url, "你好")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("rasa server did not come up") from None
                time.sleep(1)
        texts = messages(args.n)
        for text in texts[:20]:  # warm-up
            parse(url, text)
        times = []
        for text in texts:
            start = time.perf_counter()
            parse(url, text)
            times.append((time.perf_counter() - start) * 1000)
        rss = rss_kib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    times.sort()
    result = {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
        "max_ms": round(times[-1], 2),
        "model_mib": round(model.stat().st_size / 2**20, 2),
        "server_rss_mib": round(rss / 1024, 1),
    }
    print(json.dumps(result, indent=1))
    out = ROOT / "bench/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"nlu-latency-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(result, indent=1)
    )


if __name__ == "__main__":
    main()
