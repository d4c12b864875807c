"""A real S3-compatible server for the evidence store's tests: moto's standalone server
(``python -m moto.server``, the usual local S3 endpoint in development) in its own
process on a free loopback port, spoken to over HTTP by boto3 exactly as a deployment
speaks to its store. One server per test session, a fresh bucket per test.

Fixtures: ``s3_server`` (the server's URL), ``s3_bucket`` (an empty bucket on it, with
the environment set as a deployment would set it: ``JIERU_EVIDENCE_STORAGE=s3`` and the
``JIERU_EVIDENCE_S3_*`` variables; credentials in the ``AWS_*`` variables boto3 reads).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

REGION = "us-east-1"
# moto accepts any credentials; set, they keep boto3 from looking further (instance
# metadata, which is not on this machine) for some.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "jieru-test", "AWS_SECRET_ACCESS_KEY": "jieru-test-secret"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nothing_listening() -> str:
    """The URL of a loopback port no server listens on: a store that is down."""
    return f"http://127.0.0.1:{_free_port()}"


def _wait(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"moto server at {url} did not answer in {seconds} s")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The URL of a moto S3 server running in a separate process."""
    port = _free_port()
    env = {**os.environ, **CREDENTIALS, "AWS_EC2_METADATA_DISABLED": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def client(endpoint: str) -> Any:
    """A plain boto3 client on the server, to look at what the store holds."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    name: str
    prefix: str
    client: Any

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def head(self, key: str) -> dict:
        return self.client.head_object(Bucket=self.name, Key=key)

    def body(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """An empty bucket, and the environment pointing the evidence store at it."""
    name = f"jieru-evidence-{uuid.uuid4().hex[:12]}"
    plain = client(s3_server)
    plain.create_bucket(Bucket=name)
    for key, value in {
        **CREDENTIALS,
        "AWS_EC2_METADATA_DISABLED": "true",
        "JIERU_EVIDENCE_STORAGE": "s3",
        "JIERU_EVIDENCE_S3_BUCKET": name,
        "JIERU_EVIDENCE_S3_PREFIX": "evidence/",
        "JIERU_EVIDENCE_S3_ENDPOINT": s3_server,
        "JIERU_EVIDENCE_S3_REGION": REGION,
        "JIERU_EVIDENCE_S3_ADDRESSING": "path",
    }.items():
        monkeypatch.setenv(key, value)
    return Bucket(s3_server, name, "evidence/", plain)
