"""What the tests against running servers share: where the Rasa server is."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def base_url() -> str:
    """The Rasa server scripts/test.sh started (JIERU_RASA_URL); skipped, with the reason
    shown, when the tests are run without the servers."""
    url = os.environ.get("JIERU_RASA_URL")
    if not url:
        pytest.skip("JIERU_RASA_URL not set: run through scripts/test.sh")
    return url
