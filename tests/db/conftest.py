"""Helpers for the data-layer tests (fixtures shared project-wide live in tests/conftest.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jieru.db.models import Base
from jieru.importer import ImportReport, import_orders


@pytest.fixture
def import_data(session_factory: sessionmaker[Session]) -> Callable[..., ImportReport]:
    """Import a dict in one transaction, as ``run_import`` does, and return the report."""

    def run(data: Any, *, shift: timedelta = timedelta(0)) -> ImportReport:
        with session_factory.begin() as session:
            return import_orders(copy.deepcopy(data), session, shift=shift)

    return run


@pytest.fixture
def dump(session_factory: sessionmaker[Session]) -> Callable[[], dict[str, list[tuple]]]:
    """Every row of every table, in primary-key order."""

    def run() -> dict[str, list[tuple]]:
        with session_factory() as session:
            return {
                table.name: [
                    tuple(row)
                    for row in session.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in Base.metadata.sorted_tables
            }

    return run


@pytest.fixture
def row_counts(session_factory: sessionmaker[Session]) -> Callable[[], dict[str, int]]:
    def run() -> dict[str, int]:
        with session_factory() as session:
            return {
                table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
            }

    return run
