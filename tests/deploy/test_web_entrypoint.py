"""docker/entrypoint-web.sh run outside Docker, as scripts/ run it from a checkout: the
web service in the foreground, its health, the demo login and the widget's files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from jieru.auth import verify_token

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docker/entrypoint-web.sh"
SECRET = "entrypoint-web-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, body: dict | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=3) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start(tmp_path: Path, **env: str) -> Iterator[str]:
    port = free_port()
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "jieru-widget.js").write_text("window.JieruWidget = {};", encoding="utf-8")
    log = (tmp_path / "web.log").open("wb")
    process = subprocess.Popen(
        [str(SCRIPT)],
        cwd=tmp_path,  # another folder: the script finds the project itself
        env={
            **os.environ,
            "JIERU_BIN": str(Path(sys.executable).parent),
            "PORT": str(port),
            "JIERU_WEB_HOST": "127.0.0.1",
            "JIERU_APP_JWT_SECRET": SECRET,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'jieru.db'}",
            "JIERU_WIDGET_DIST": str(dist),
            "JIERU_RASA_SOCKET_URL": "https://bot.example.com",
            "JIERU_RASA_URL": "",
            **env,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if process.poll() is not None:
                pytest.fail((tmp_path / "web.log").read_text(errors="replace"))
            try:
                if request(url + "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    yield from start(tmp_path, JIERU_WEB_DEMO_BUYERS="b1001,b1002")


@pytest.fixture
def production(tmp_path: Path) -> Iterator[str]:
    yield from start(tmp_path, JIERU_WEB_DEMO_BUYERS="")


def test_health_and_the_widget_file(demo: str) -> None:
    assert request(demo + "/health") == (200, b'{"status":"ok"}')
    assert request(demo + "/widget/jieru-widget.js") == (200, b"window.JieruWidget = {};")
    assert request(demo + "/widget/../../jieru/auth.py")[0] == 404


def test_demo_page_embeds_the_widget_for_a_demo_buyer(demo: str) -> None:
    status, page = request(demo + "/?buyer=b1002")
    assert status == 200
    html = page.decode()
    assert '<script src="/widget/jieru-widget.js" defer></script>' in html
    assert '{"server": "https://bot.example.com", "buyer": "b1002"}' in html
    # Anyone else falls back to the first demo buyer, never the name asked for.
    assert '"buyer": "b1001"' in request(demo + "/?buyer=b_victim</script>")[1].decode()


def test_demo_login_issues_short_tokens_for_demo_buyers_only(demo: str) -> None:
    status, body = request(demo + "/demo/token", {"buyer": "b1002"})
    assert status == 200
    reply = json.loads(body)
    assert verify_token(reply["token"], secret=SECRET) == "b1002"
    assert reply["minutes"] == 30
    assert request(demo + "/demo/token", {"buyer": "b_victim"})[0] == 404
    assert request(demo + "/demo/token", {})[0] == 404


def test_no_demo_login_unless_configured(production: str) -> None:
    assert request(production + "/health")[0] == 200
    assert request(production + "/")[0] == 404
    assert request(production + "/demo/token", {"buyer": "b1001"})[0] == 404
