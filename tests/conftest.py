"""Fixtures shared by every test suite: a fresh database per test, on SQLite and PostgreSQL.

- ``db_url``: an empty database, parametrized ``sqlite`` (a file in tmp_path) and
  ``postgres`` (a fresh schema in database ``test`` on 127.0.0.1:5432, dropped afterwards;
  marked ``postgres``; skipped when the server is unreachable, failed instead under ``CI``).
- ``engine``: the process's engine for ``db_url`` (schema not created).
- ``session_factory``: a sessionmaker for ``db_url`` after ``jieru db upgrade``.
- ``example_data(name)``: a fresh copy of a JSON file from ``tests/fixtures``.
- ``load_example(name)``: imports that file into the ``session_factory`` database.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import FIXTURES

# The Rasa environment (SQLAlchemy 1.4) also runs pytest, for its own marked tests: the
# data layer needs SQLAlchemy 2, so its tests are not even collected there, and this file
# imports the data layer only inside fixtures.
collect_ignore = ["db"] if int(version("sqlalchemy").split(".")[0]) < 2 else []

try:
    from hypothesis import settings
except ImportError:  # the Rasa environment has no property tests
    pass
else:
    # The same examples on every run: CI fails on a regression, not on a new draw.
    settings.register_profile("jieru", derandomize=True)
    settings.load_profile("jieru")

# The server the postgres params run on; JIERU_TEST_POSTGRES_URL points them elsewhere.
POSTGRES_URL = os.environ.get(
    "JIERU_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def postgres_server():
    """An admin engine on the test PostgreSQL server, or a skip (a failure under CI)."""
    from sqlalchemy import create_engine

    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}, pool_pre_ping=True)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # any reason the server cannot be used
        engine.dispose()
        reason = f"PostgreSQL at {POSTGRES_URL} is unreachable: {str(exc).splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    yield engine
    engine.dispose()


def _postgres_schema_url(schema: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the parametrized kind, private to this test."""
    from sqlalchemy.schema import CreateSchema, DropSchema

    from jieru.db import session as db_session

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jieru.db'}"
        yield url
        db_session.dispose(url)
        return
    admin = request.getfixturevalue("postgres_server")
    schema = f"jieru_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(CreateSchema(schema))
    url = _postgres_schema_url(schema)
    try:
        yield url
    finally:
        db_session.dispose(url)
        with admin.begin() as conn:
            conn.execute(DropSchema(schema, cascade=True))


@pytest.fixture
def engine(db_url: str):
    from jieru.db.session import get_engine

    return get_engine(db_url)


@pytest.fixture
def session_factory(db_url: str):
    from jieru.db.migrate import upgrade
    from jieru.db.session import get_sessionmaker

    upgrade(url=db_url)
    return get_sessionmaker(db_url)


@pytest.fixture
def example_data() -> Callable[..., Any]:
    def read(name: str = "example-orders.json") -> Any:
        return json.loads((FIXTURES / name).read_text("utf-8"))

    return read


@pytest.fixture
def load_example(session_factory, example_data) -> Callable[..., Any]:
    from jieru.importer import import_orders

    def load(name: str = "example-orders.json", *, shift: timedelta = timedelta(0)):
        with session_factory.begin() as session:
            report = import_orders(example_data(name), session, shift=shift)
        assert report.ok, "\n".join(map(str, report.problems))
        return report

    return load
