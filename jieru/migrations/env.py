"""Alembic environment: the URL comes from ``jieru.db.migrate`` (or ``DATABASE_URL``)."""
from __future__ import annotations

from alembic import context

from jieru.config import settings
from jieru.db.models import Base
from jieru.db.session import get_engine

config = context.config
url = config.attributes.get("url") or settings().database_url


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    with get_engine(url).connect() as connection:
        # Batch mode lets ALTERs run on SQLite, which rebuilds the table instead.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
