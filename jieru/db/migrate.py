"""Schema changes through Alembic, configured in code so they run from any directory."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

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


def revision(
    message: str,
    *,
    autogenerate: bool = False,
    url: str | None = None,
    script_location: Path | None = None,
) -> Path:
    """Write the next migration, ``NNNN_<message>.py``, and return its path.

    With ``autogenerate`` its operations are what the models add to the schema at ``url``
    (default: a throw-away SQLite database migrated to head), so one command is enough.
    ``script_location`` is another migrations folder (for tests).
    """
    from jieru.db.session import dispose

    with tempfile.TemporaryDirectory() as scratch:
        scratch_url = f"sqlite:///{Path(scratch) / 'head.db'}"
        if autogenerate and url is None:
            upgrade(url=scratch_url)
            url = scratch_url
        cfg = alembic_config(url)
        if script_location is not None:
            cfg.set_main_option("script_location", str(script_location))
        numbers = [
            int(script.revision)
            for script in ScriptDirectory.from_config(cfg).walk_revisions()
            if script.revision.isdigit()
        ]
        try:
            written = command.revision(
                cfg,
                message=message,
                autogenerate=autogenerate,
                rev_id=f"{max(numbers, default=0) + 1:04d}",
            )
        finally:
            dispose(scratch_url)
    # A list only when there are several heads; the project keeps one.
    script = written[0] if isinstance(written, list) else written
    if script is None or script.path is None:
        raise RuntimeError("alembic wrote no revision")
    return Path(script.path)
