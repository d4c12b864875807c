"""Alembic environment: the URL comes from ``jieru.db.migrate`` or, for the ``alembic`` command
(``alembic.ini`` at the root), from ``DATABASE_URL`` through ``jieru.config``."""

from __future__ import annotations

from alembic import context

from jieru.config import settings
from jieru.db.models import Base
from jieru.db.session import get_engine

config = context.config
url = config.attributes.get("url") or settings().database_url


def run_offline() -> None:
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    with get_engine(url).connect() as connection:
        # Batch mode lets ALTERs run on SQLite, which rebuilds the table instead.
        # compare_type: autogenerate also notices a changed column type, not only new columns.
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
