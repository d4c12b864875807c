"""The service layer: what the actions call. Each public function is one short
transaction over the repository, plus the pure rules; none of them speaks to the buyer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from jieru.db.session import get_sessionmaker
from jieru.services.errors import ServiceUnavailable

__all__ = ["ServiceUnavailable", "transaction"]


@contextmanager
def transaction() -> Iterator[Session]:
    """One transaction, committed on success and rolled back on any error; a database
    that cannot be reached surfaces as ``ServiceUnavailable``."""
    try:
        with get_sessionmaker().begin() as session:
            yield session
    except DBAPIError as exc:
        if exc.connection_invalidated or _is_connection_error(exc):
            raise ServiceUnavailable(str(exc.orig)) from exc
        raise


def _is_connection_error(exc: DBAPIError) -> bool:
    # OperationalError covers "could not connect", "server closed the connection",
    # SQLite's "unable to open database file" and "database is locked".
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError)
