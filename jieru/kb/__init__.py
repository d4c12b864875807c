"""The knowledge base in ``kb/``: everything the bot says about platforms, as data."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from jieru.config import settings

T = TypeVar("T")


def kb_dir() -> Path:
    """The kb/ folder in use (``JIERU_KB_DIR`` or the project's own)."""
    return settings().kb_dir


@lru_cache(maxsize=64)
def _load(path: Path, mtime: float) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_yaml(relative: str | Path) -> Any:
    """Parse a YAML file under kb/; cached until the file changes."""
    path = kb_dir() / relative
    return _load(path, path.stat().st_mtime)


@lru_cache(maxsize=64)
def _parsed(path: Path, mtime: float, parse: Callable[[Any], T]) -> T:
    return parse(_load(path, mtime))


def load_parsed(relative: str | Path, parse: Callable[[Any], T]) -> T:
    """``parse`` applied to a YAML file under kb/; the result is cached until the file
    changes, so callers share one object and must not modify it."""
    path = kb_dir() / relative
    return _parsed(path, path.stat().st_mtime, parse)
