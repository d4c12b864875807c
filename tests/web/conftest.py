"""The upload router in a FastAPI app, tokens, and the services' databases and fake Rasa API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.channels.tokens import SECRET, in_minutes, signed
from tests.services.agents_fixtures import agents_db, fake_rasa  # noqa: F401  (fixtures)
from tests.services.conftest import orders_db, widget_db  # noqa: F401  (fixtures)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, widget_db) -> Iterator[TestClient]:  # noqa: F811
    from jieru.web.uploads import router

    monkeypatch.setenv("JIERU_APP_JWT_SECRET", SECRET)
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client


def bearer(buyer: str = "b1001", **claims) -> dict[str, str]:
    return {"Authorization": "Bearer " + signed({"sub": buyer, "exp": in_minutes(10), **claims})}
