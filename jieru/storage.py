"""Where uploaded evidence files are kept: outside the database, behind one small interface.

``JIERU_EVIDENCE_STORAGE`` picks the backend:

- ``local`` (default): files under ``JIERU_EVIDENCE_DIR`` (default ``var/evidence``), one
  folder per intervention, written to a temporary name and renamed into place, so a
  reader never sees half a file.
- ``s3``: an S3-compatible object store through boto3: bucket ``JIERU_EVIDENCE_S3_BUCKET``,
  keys under ``JIERU_EVIDENCE_S3_PREFIX``; ``JIERU_EVIDENCE_S3_ENDPOINT`` for a store other
  than AWS (MinIO, a cloud's S3-compatible service), ``JIERU_EVIDENCE_S3_REGION``,
  ``JIERU_EVIDENCE_S3_ADDRESSING`` (``auto``, ``path`` or ``virtual``). Credentials come
  from boto3's usual chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile, an
  instance role), never from this project's settings. A write never replaces an object
  (``If-None-Match: *``) and carries ``Content-MD5``, so the store checks the bytes.

Keys are chosen by the caller (``<intervention number>/<random hex>.<ext>``); a key is
checked so that it can never leave the storage root.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from jieru.config import Settings, settings

_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,5}$")
_PREFIX = re.compile(r"^([A-Za-z0-9_-]+/)*$")
ADDRESSING = ("auto", "path", "virtual")


class StorageError(RuntimeError):
    """The storage backend cannot keep or give back a file."""


class Storage(Protocol):
    """Keeps the bytes of evidence files under keys."""

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """Store ``data`` under ``key``, a new key: one that holds other bytes is an error."""

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


class S3Storage:
    """Objects in a bucket of an S3-compatible store, named ``prefix`` + key."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        if not _PREFIX.fullmatch(prefix):
            raise StorageError(f"JIERU_EVIDENCE_S3_PREFIX {prefix!r}: letters, digits, _ - and /")
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, media_type: str) -> None:
        md5 = hashlib.md5(data, usedforsecurity=False)
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._name(key),
                Body=data,
                ContentType=media_type,
                ContentMD5=base64.b64encode(md5.digest()).decode(),
                IfNoneMatch="*",
            )
        except ClientError as exc:
            # 412: the key exists. A write whose answer was lost and was retried finds its
            # own bytes there (the ETag of a single PUT is their MD5): that is a success.
            if _status(exc) == 412 and self._etag(key) == md5.hexdigest():
                return
            if _status(exc) == 412:
                raise StorageError(f"{key} is already stored") from exc
            raise StorageError(f"cannot store {key}: {_describe(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot store {key}: {exc}") from exc

    def _etag(self, key: str) -> str | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError):
            return None
        return str(head.get("ETag", "")).strip('"') or None

    def get(self, key: str) -> bytes:
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
            return bytes(reply["Body"].read())
        except ClientError as exc:
            if _code(exc) == "NoSuchKey" or _status(exc) == 404 and _code(exc) != "NoSuchBucket":
                raise KeyError(key) from None
            raise StorageError(f"cannot read {key}: {_describe(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot read {key}: {exc}") from exc

    def delete(self, key: str) -> None:
        try:  # S3 answers 204 for a key that is not there too
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot delete {key}: {exc}") from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _status(exc) == 404:
                return False
            raise StorageError(f"cannot look up {key}: {_describe(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot look up {key}: {exc}") from exc
        return True


def _status(exc: Any) -> int | None:
    return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _describe(exc: Any) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', _status(exc))} {error.get('Message', '')}".strip()


@functools.lru_cache(maxsize=8)
def s3_client(endpoint: str | None, region: str | None, addressing: str) -> Any:
    """A boto3 S3 client (thread-safe, so one per configuration and process)."""
    import boto3  # a quarter of a second: only where S3 is configured
    from botocore.config import Config

    if addressing not in ADDRESSING:
        raise StorageError(
            f"JIERU_EVIDENCE_S3_ADDRESSING must be one of {ADDRESSING}, not {addressing!r}"
        )
    config = Config(
        s3={"addressing_style": addressing},
        connect_timeout=5,
        read_timeout=20,
        retries={"mode": "standard", "max_attempts": 3},
        # botocore adds a CRC32 checksum to every request by default, which several
        # S3-compatible stores refuse; the Content-MD5 of each write checks its bytes.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=region, config=config
    )


def storage(s: Settings | None = None) -> Storage:
    """The backend ``s`` (the environment's settings by default) configures."""
    s = s or settings()
    if s.evidence_storage == "local":
        return LocalStorage(s.evidence_dir)
    if s.evidence_storage == "s3":
        if not s.evidence_s3_bucket:
            raise StorageError("JIERU_EVIDENCE_STORAGE=s3 needs JIERU_EVIDENCE_S3_BUCKET")
        client = s3_client(s.evidence_s3_endpoint, s.evidence_s3_region, s.evidence_s3_addressing)
        return S3Storage(client, s.evidence_s3_bucket, s.evidence_s3_prefix)
    raise StorageError(
        f"JIERU_EVIDENCE_STORAGE must be 'local' or 's3', not {s.evidence_storage!r}"
    )
