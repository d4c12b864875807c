"""All configuration read from the environment, in one place.

Every other module asks this one; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, time
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
    # The Rasa server's HTTP API (``rasa run --enable-api``) and its ``--auth-token``
    # (JIERU_RASA_URL, JIERU_RASA_TOKEN or else RASA_AUTH_TOKEN).
    rasa_url: str
    rasa_token: str | None
    # Human agents' working hours, local time (``timezone``): opening and closing time
    # and the ISO weekdays (1 = Monday) they work; minutes an agent spends on a case,
    # for the buyer's expected wait.
    agent_hours: tuple[time, time]
    agent_weekdays: frozenset[int]
    agent_minutes_per_case: int
    # Where uploaded evidence files are kept: "local" (a folder on disk) or "s3" (an
    # S3-compatible object store: bucket, optional key prefix, endpoint for a store other
    # than AWS, region, addressing style; credentials from boto3's usual chain). See
    # jieru.storage.
    evidence_storage: str = "local"
    evidence_dir: Path = PROJECT_ROOT / "var" / "evidence"
    evidence_s3_bucket: str | None = None
    evidence_s3_prefix: str = ""
    evidence_s3_endpoint: str | None = None
    evidence_s3_region: str | None = None
    evidence_s3_addressing: str = "auto"
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


def _agent_hours(value: str) -> tuple[time, time]:
    start, _, end = value.partition("-")
    opens, closes = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    if opens >= closes:
        raise ValueError(f"JIERU_AGENT_HOURS must be HH:MM-HH:MM with opening first, not {value!r}")
    return opens, closes


def _weekdays(value: str) -> frozenset[int]:
    days = frozenset(int(d) for d in value.replace(" ", "").split(",") if d)
    if not days or not days <= set(range(1, 8)):
        raise ValueError(f"JIERU_AGENT_WEEKDAYS must list ISO weekdays 1-7, not {value!r}")
    return days


def _default_sqlite_url() -> str:
    path = PROJECT_ROOT / "var" / "jieru.db"
    return f"sqlite:///{path}"


def settings() -> Settings:
    """Read the environment now and return the settings it describes."""
    clock = os.environ.get("JIERU_CLOCK")
    default_platform = os.environ.get("JIERU_DEFAULT_PLATFORM") or None
    if default_platform is not None and default_platform not in PLATFORMS:
        raise ValueError(
            f"JIERU_DEFAULT_PLATFORM must be one of {PLATFORMS}, not {default_platform!r}"
        )
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_sqlite_url(),
        kb_dir=Path(os.environ.get("JIERU_KB_DIR") or PROJECT_ROOT / "kb"),
        timezone=ZoneInfo(os.environ.get("JIERU_TZ", "Asia/Shanghai")),
        default_platform=default_platform,
        app_jwt_secret=os.environ.get("JIERU_APP_JWT_SECRET") or None,
        clock=datetime.fromisoformat(clock) if clock else None,
        dev_buyer=os.environ.get("JIERU_DEV_BUYER") or None,
        rasa_url=(os.environ.get("JIERU_RASA_URL") or "http://localhost:5005").rstrip("/"),
        # The Rasa image's entrypoint takes its --auth-token from RASA_AUTH_TOKEN.
        rasa_token=os.environ.get("JIERU_RASA_TOKEN") or os.environ.get("RASA_AUTH_TOKEN") or None,
        agent_hours=_agent_hours(os.environ.get("JIERU_AGENT_HOURS", "09:00-22:00")),
        agent_weekdays=_weekdays(os.environ.get("JIERU_AGENT_WEEKDAYS", "1,2,3,4,5,6,7")),
        agent_minutes_per_case=int(os.environ.get("JIERU_AGENT_MINUTES_PER_CASE", "6")),
        evidence_storage=os.environ.get("JIERU_EVIDENCE_STORAGE") or "local",
        evidence_dir=Path(
            os.environ.get("JIERU_EVIDENCE_DIR") or PROJECT_ROOT / "var" / "evidence"
        ),
        evidence_s3_bucket=os.environ.get("JIERU_EVIDENCE_S3_BUCKET") or None,
        evidence_s3_prefix=os.environ.get("JIERU_EVIDENCE_S3_PREFIX") or "",
        evidence_s3_endpoint=os.environ.get("JIERU_EVIDENCE_S3_ENDPOINT") or None,
        evidence_s3_region=os.environ.get("JIERU_EVIDENCE_S3_REGION") or None,
        evidence_s3_addressing=os.environ.get("JIERU_EVIDENCE_S3_ADDRESSING") or "auto",
        web_host=os.environ.get("JIERU_WEB_HOST") or "127.0.0.1",
        web_port=int(os.environ.get("JIERU_WEB_PORT") or 8000),
        rasa_socket_url=(os.environ.get("JIERU_RASA_SOCKET_URL") or "http://127.0.0.1:5005").rstrip(
            "/"
        ),
        web_demo_buyers=tuple(
            b.strip()
            for b in (os.environ.get("JIERU_WEB_DEMO_BUYERS") or "").split(",")
            if b.strip()
        ),
        web_cors_origins=tuple(
            o.strip()
            for o in (os.environ.get("JIERU_WEB_CORS_ORIGINS") or "").split(",")
            if o.strip()
        ),
        widget_dist=Path(
            os.environ.get("JIERU_WIDGET_DIST") or PROJECT_ROOT / "web" / "widget" / "dist"
        ),
    )


def now() -> datetime:
    """The current time, timezone-aware; ``JIERU_CLOCK`` pins it for demos and tests."""
    s = settings()
    return s.clock if s.clock is not None else datetime.now(s.timezone)
