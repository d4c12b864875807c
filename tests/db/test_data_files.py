"""The data files that ship with the project import cleanly and stay in sync."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from jieru.config import PROJECT_ROOT
from jieru.db.models import Order
from jieru.importer import schema

PACKAGED_SCHEMA = PROJECT_ROOT / "jieru" / "schemas" / "orders.schema.json"
DEMO = PROJECT_ROOT / "demo" / "orders.json"


# That the packaged schema is a byte-for-byte copy of shared/'s is checked with the other
# copies, in tests/test_fixtures.py.
def test_the_importer_uses_the_packaged_schema():
    assert schema() == json.loads(PACKAGED_SCHEMA.read_text("utf-8"))


@pytest.mark.skipif(not DEMO.exists(), reason="demo/orders.json has not been written yet")
def test_demo_orders_import_cleanly_and_idempotently(import_data, session_factory, dump):
    data = json.loads(DEMO.read_text("utf-8"))
    report = import_data(data)
    assert report.ok, "\n".join(map(str, report.problems))
    assert report.counts["orders"] >= 30
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == report.counts["orders"]
    first = dump()
    assert import_data(data).ok and dump() == first
