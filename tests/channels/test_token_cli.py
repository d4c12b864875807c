"""``jieru token`` prints a token that the app channel accepts (CONTRACT.md §3)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import jwt

from jieru.auth import verify_token

from .tokens import SECRET

JIERU = Path(sys.executable).with_name("jieru")


def _run(*args: str, secret: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JIERU_APP_JWT_SECRET"}
    if secret is not None:
        env["JIERU_APP_JWT_SECRET"] = secret
    return subprocess.run([str(JIERU), *args], env=env, capture_output=True, text=True, timeout=60)


def test_printed_token_is_valid_for_the_asked_minutes() -> None:
    done = _run("token", "b1001", "--minutes", "5", secret=SECRET)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert verify_token(token, secret=SECRET) == "b1001"
    exp = jwt.decode(token, SECRET, algorithms=["HS256"])["exp"]
    assert abs(exp - (time.time() + 300)) < 30


def test_without_a_secret_the_command_fails_and_says_why() -> None:
    done = _run("token", "b1001", secret=None)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "JIERU_APP_JWT_SECRET" in done.stderr
