"""Fixtures of the action tests: the real domain and a real database per test (SQLite
and PostgreSQL). Helpers are in tests/actions/helpers.py."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.types import DomainDict

from tests.actions.helpers import AFTER_WINDOW, load_domain
from tests.services.conftest import orders_db, widget_db  # noqa: F401  (fixtures)


@pytest.fixture(scope="session")
def domain() -> DomainDict:
    """domain.yml, as the action server receives it."""
    return load_domain()


@pytest.fixture
def bot_db(
    monkeypatch: pytest.MonkeyPatch, db_url: str, session_factory: Any, load_example: Any
) -> Any:
    """The example orders in a fresh database that the services use, buyer b1001."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    monkeypatch.setenv("JIERU_CLOCK", AFTER_WINDOW)
    load_example()
    return session_factory


@pytest.fixture
def no_dev_buyer(monkeypatch: pytest.MonkeyPatch) -> None:
    """No development buyer: only what the channel verified names the buyer."""
    monkeypatch.delenv("JIERU_DEV_BUYER", raising=False)
