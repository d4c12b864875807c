"""docker/entrypoint-actions.sh run outside Docker, the way scripts/ run it from a
checkout: it migrates DATABASE_URL, then execs the action server in the foreground."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from jieru.db.migrate import alembic_config
from jieru.db.models import Base

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docker/entrypoint-actions.sh"
STARTUP_SECONDS = 60


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    database: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status, response.read()


@pytest.fixture
def action_server(tmp_path: Path) -> Iterator[Server]:
    """The entrypoint started from another folder on a fresh SQLite file and a free port;
    it and anything it started are killed afterwards, whatever happened."""
    port = free_port()
    database, log_path = tmp_path / "jieru.db", tmp_path / "actions.log"
    env = {
        **os.environ,
        "JIERU_BIN": str(Path(sys.executable).parent),
        "DATABASE_URL": f"sqlite:///{database}",
        "PORT": str(port),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(SCRIPT)], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{port}", database, log_path)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)


def wait_until_healthy(server: Server) -> int:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"the entrypoint exited with {server.process.returncode}:\n{server.output()}"
            )
        try:
            return get(f"{server.url}/health")[0]
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"no answer on /health within {STARTUP_SECONDS}s:\n{server.output()}")


def healthcheck(dockerfile: str, port: int) -> int:
    """Run the HEALTHCHECK command of ``dockerfile`` here, against ``port``; its exit code."""
    text = (ROOT / dockerfile).read_text(encoding="utf-8").replace("\\\n", " ")
    command = json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", text, re.M)[1])
    assert command[0] == "python"
    env = {**os.environ, "PORT": str(port)}
    return subprocess.run([sys.executable, *command[1:]], env=env, capture_output=True).returncode


def domain_custom_actions() -> set[str]:
    """The actions of domain.yml that the action server must run (all but responses)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {a for a in domain.get("actions", []) if not a.startswith("utter_")}


def test_actions_entrypoint_migrates_then_serves_the_domain_actions(action_server: Server) -> None:
    assert wait_until_healthy(action_server) == 200

    # Migrations ran before the server started: every table, at the newest revision.
    engine = create_engine(f"sqlite:///{action_server.database}")
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert revision == ScriptDirectory.from_config(alembic_config()).get_current_head()

    status, body = get(f"{action_server.url}/actions")
    served = {action["name"] for action in json.loads(body)}
    assert status == 200
    assert domain_custom_actions() <= served, action_server.output()

    port = int(action_server.url.rsplit(":", 1)[1])
    assert healthcheck("Dockerfile.actions", port) == 0

    # exec: the process the caller started is now the server, so `kill $!` stops it.
    process = action_server.process
    assert b"rasa_sdk" in Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    assert healthcheck("Dockerfile.actions", port) != 0
