"""Where uploaded evidence files are kept: outside the database, behind one small interface.

``JIERU_EVIDENCE_STORAGE`` picks the backend:

- ``local`` (default): files under ``JIERU_EVIDENCE_DIR`` (default ``var/evidence``), one
  folder per intervention, written to a temporary name and renamed into place, so a
  reader never sees half a file.
- ``s3``: an S3-compatible object store. Only the interface exists here: no S3 client
  library is installed in the action environment, and a backend that has never run
  against a real store is not shipped. ``storage()`` refuses it with a clear error.

Keys are chosen by the caller (``<intervention number>/<random hex>.<ext>``); a key is
checked so that it can never leave the storage root.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from jieru.config import settings

_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,5}$")


class StorageError(RuntimeError):
    """The storage backend cannot keep or give back a file."""


class Storage(Protocol):
    """Keeps the bytes of evidence files under keys."""

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """Store ``data`` under ``key`` (a new key: an existing one is an error)."""

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; ``KeyError`` when there are none."""

    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""


def check_key(key: str) -> str:
    """``key`` if it has the shape the services make (no path tricks); ValueError otherwise."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"invalid storage key {key!r}")
    return key


class LocalStorage:
    """Files in a folder on this machine's disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, media_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                raise StorageError(f"{key} is already stored")
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"cannot store {key}: {exc}") from exc

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def storage() -> Storage:
    """The backend the environment configures."""
    s = settings()
    if s.evidence_storage == "local":
        return LocalStorage(s.evidence_dir)
    if s.evidence_storage == "s3":
        raise StorageError(
            "JIERU_EVIDENCE_STORAGE=s3: the S3 backend is not available in this build "
            "(no S3 client installed); use 'local'"
        )
    raise StorageError(
        f"JIERU_EVIDENCE_STORAGE must be 'local' or 's3', not {s.evidence_storage!r}"
    )
