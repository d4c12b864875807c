"""Schema changes through Alembic, configured in code so they run from any directory."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import jieru.migrations
from jieru.config import settings


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config for ``url`` (default: ``DATABASE_URL``) using the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(jieru.migrations.__file__).parent))
    # Passed as an attribute, not a main option: ConfigParser would read '%' in passwords.
    cfg.attributes["url"] = url or settings().database_url
    return cfg


def upgrade(revision: str = "head", url: str | None = None) -> None:
    """Migrate the database at ``url`` (default: ``DATABASE_URL``) up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(revision: str, url: str | None = None) -> None:
    """Migrate the database at ``url`` (default: ``DATABASE_URL``) down to ``revision``."""
    command.downgrade(alembic_config(url), revision)
