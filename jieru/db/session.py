"""One engine and one sessionmaker per process per database URL; nothing connects at import.

Use one short transaction per operation::

    with get_sessionmaker().begin() as session:
        ...
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from jieru.config import settings

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_sessionmakers: dict[str, sessionmaker[Session]] = {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL;
    # SQLAlchemy's documented fix: let the driver autocommit and emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # IMMEDIATE takes the write lock up front: concurrent writers then queue behind the
    # busy timeout, where a deferred transaction upgrading its lock fails at once
    # ("database is locked"). The embedded default trades read concurrency for that.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if (
        parsed.database
        and parsed.database != ":memory:"
        and not parsed.database.startswith("file:")
    ):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The process's engine for ``url`` (default: ``DATABASE_URL``), created on first use."""
    url = url or settings().database_url
    with _lock:
        if url not in _engines:
            _engines[url] = _make_engine(url)
        return _engines[url]


def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    """The process's sessionmaker for ``url`` (default: ``DATABASE_URL``)."""
    url = url or settings().database_url
    engine = get_engine(url)
    with _lock:
        if url not in _sessionmakers:
            _sessionmakers[url] = sessionmaker(engine, expire_on_commit=False)
        return _sessionmakers[url]


def dispose(url: str | None = None) -> None:
    """Close the pooled connections of ``url``'s engine (all engines when None) and forget it."""
    with _lock:
        urls = [url] if url is not None else list(_engines)
        for u in urls:
            _sessionmakers.pop(u, None)
            engine = _engines.pop(u, None)
            if engine is not None:
                engine.dispose()
