"""Fixtures for the knowledge-base tests.

- ``kb_copy``: a private copy of kb/ that ``jieru.kb`` reads (``JIERU_KB_DIR``), to break.
- ``seeds_dir``: the source articles, in ``shared/seeds`` beside the checkout.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from jieru.config import PROJECT_ROOT
from jieru.kb import kb_dir

# JIERU_SHARED_DIR overrides where shared/ is (a worktree has no shared/ beside it).
SHARED_DIR = Path(os.environ.get("JIERU_SHARED_DIR") or PROJECT_ROOT.parent / "shared")
SEEDS_DIR = SHARED_DIR / "seeds"


@pytest.fixture
def kb_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(kb_dir(), copy)
    monkeypatch.setenv("JIERU_KB_DIR", str(copy))
    return copy


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        reason = f"{SEEDS_DIR} not found (shared/ is expected beside the checkout)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return SEEDS_DIR
