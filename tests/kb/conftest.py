"""Fixtures for the knowledge-base tests.

- ``kb_copy``: a private copy of kb/ that ``jieru.kb`` reads (``JIERU_KB_DIR``), to break.
- ``seeds_dir``: the source articles (a copy of ``shared/seeds``, see tests/fixtures).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jieru.kb import kb_dir
from tests.fixtures import SEEDS


@pytest.fixture
def kb_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(kb_dir(), copy)
    monkeypatch.setenv("JIERU_KB_DIR", str(copy))
    return copy


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS
