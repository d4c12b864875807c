"""All configuration read from the environment, in one place.

Every other module asks this one; nothing else reads ``os.environ``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PLATFORMS = ("jd", "taobao", "tmall", "pdd", "xianyu")


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; build a new one (``settings()``) to see changes."""

    database_url: str
    kb_dir: Path
    timezone: ZoneInfo
    # The platform of a single-platform deployment (e.g. "jd"); None answers for all.
    default_platform: str | None
    app_jwt_secret: str | None
    # A fixed "now" (ISO 8601) for demos and conversation tests; unset in production.
    clock: datetime | None
    # Buyer assumed on channels that carry no authenticated buyer (terminal, local REST).
    # Development only: never set where real buyers connect.
    dev_buyer: str | None
    # --- widget: evidence files and the bot's HTTP API (issue 14) ---
    # Where uploaded evidence files are kept ("local": a folder on disk; "s3" is an
    # interface without a backend here, see jieru.storage).
    evidence_storage: str = "local"
    evidence_dir: Path = PROJECT_ROOT / "var" / "evidence"
    # The Rasa server's HTTP API, told about uploads and due reminders; None: not told.
    rasa_url: str | None = None
    rasa_auth_token: str | None = None
    # --- end widget ---
    # --- web service (jieru.web.app) ---
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # The Rasa server's socket.io address as the buyer's browser reaches it (the web
    # channel of credentials.yml); the widget connects there.
    rasa_socket_url: str = "http://127.0.0.1:5005"
    # Buyers the demo page may log in as, issuing them short-lived tokens; empty (the
    # default): no demo login at all, as in production.
    web_demo_buyers: tuple[str, ...] = ()
    # Folder of the built widget (npm run build in web/widget).
    widget_dist: Path = PROJECT_ROOT / "web" / "widget" / "dist"
    # Host sites whose pages may post evidence to the web service from their own origin.
    web_cors_origins: tuple[str, ...] = ()
    # --- end web service ---


def _default_sqlite_url() -> str:
    path = PROJECT_ROOT / "var" / "jieru.db"
    return f"sqlite:///{path}"


def settings() -> Settings:
    """Read the environment now and return the settings it describes."""
    clock = os.environ.get("JIERU_CLOCK")
    default_platform = os.environ.get("JIERU_DEFAULT_PLATFORM") or None
    if default_platform is not None and default_platform not in PLATFORMS:
        raise ValueError(f"JIERU_DEFAULT_PLATFORM must be one of {PLATFORMS}, not {default_platform!r}")
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_sqlite_url(),
        kb_dir=Path(os.environ.get("JIERU_KB_DIR") or PROJECT_ROOT / "kb"),
        timezone=ZoneInfo(os.environ.get("JIERU_TZ", "Asia/Shanghai")),
        default_platform=default_platform,
        app_jwt_secret=os.environ.get("JIERU_APP_JWT_SECRET") or None,
        clock=datetime.fromisoformat(clock) if clock else None,
        dev_buyer=os.environ.get("JIERU_DEV_BUYER") or None,
        # --- widget (issue 14) ---
        evidence_storage=os.environ.get("JIERU_EVIDENCE_STORAGE") or "local",
        evidence_dir=Path(os.environ.get("JIERU_EVIDENCE_DIR") or PROJECT_ROOT / "var" / "evidence"),
        rasa_url=(os.environ.get("JIERU_RASA_URL") or "").rstrip("/") or None,
        rasa_auth_token=os.environ.get("RASA_AUTH_TOKEN") or None,
        # --- web service ---
        web_host=os.environ.get("JIERU_WEB_HOST") or "127.0.0.1",
        web_port=int(os.environ.get("JIERU_WEB_PORT") or 8000),
        rasa_socket_url=(os.environ.get("JIERU_RASA_SOCKET_URL") or "http://127.0.0.1:5005").rstrip("/"),
        web_demo_buyers=tuple(
            b.strip() for b in (os.environ.get("JIERU_WEB_DEMO_BUYERS") or "").split(",") if b.strip()
        ),
        web_cors_origins=tuple(
            o.strip() for o in (os.environ.get("JIERU_WEB_CORS_ORIGINS") or "").split(",") if o.strip()
        ),
        widget_dist=Path(os.environ.get("JIERU_WIDGET_DIST") or PROJECT_ROOT / "web" / "widget" / "dist"),
    )


def now() -> datetime:
    """The current time, timezone-aware; ``JIERU_CLOCK`` pins it for demos and tests."""
    s = settings()
    return s.clock if s.clock is not None else datetime.now(s.timezone)
