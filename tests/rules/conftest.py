"""Fixtures for the rules tests: the project's own kb/ policies."""

from __future__ import annotations

import pytest

from jieru.kb.policy import load_policy
from jieru.rules.policy import PlatformPolicy

from .factories import KB, PLATFORMS


@pytest.fixture(scope="session")
def policies() -> dict[str, PlatformPolicy]:
    return {p: load_policy(p, kb=KB) for p in PLATFORMS}
