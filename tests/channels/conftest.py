"""Every channel test runs with a known app-channel secret in the environment."""

from __future__ import annotations

import pytest

from .tokens import SECRET


@pytest.fixture(autouse=True)
def app_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JIERU_APP_JWT_SECRET", SECRET)
    return SECRET
