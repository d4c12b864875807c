"""Debian's chromium as the browser tests and bench/widget.py launch it (never a browser
Playwright downloads): its path and the flags this closed network needs."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("JIERU_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags chromium keeps dialling out, and this machine
# refuses every such connection.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
