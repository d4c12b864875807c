"""The evidence stores behind one interface (jieru.storage): local disk, and the S3 store
against a real S3-compatible server in its own process (moto's, tests/s3_server.py),
over HTTP through boto3, configured from the environment as a deployment is."""

from __future__ import annotations

import time
from io import BytesIO

import pytest
from PIL import Image

from jieru.config import settings
from jieru.db import evidence_files
from jieru.services import ServiceUnavailable, evidence
from jieru.storage import LocalStorage, S3Storage, StorageError, s3_client, storage
from jieru.web.app import create_app
from tests.s3_server import REGION, nothing_listening
from tests.services.conftest import MINE, stored_files
from tests.services.images import GPS_IFD, photo
from tests.services.test_evidence import file_rows

KEY = "JR20261117000001/0123456789abcdef0123456789abcdef.jpg"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, monkeypatch):
    """Each backend as ``storage()`` builds it from the environment."""
    if request.param == "local":
        monkeypatch.setenv("JIERU_EVIDENCE_STORAGE", "local")
        monkeypatch.setenv("JIERU_EVIDENCE_DIR", str(tmp_path / "evidence"))
    else:
        request.getfixturevalue("s3_bucket")
    return storage()


def test_the_environment_picks_the_backend(store, request):
    kind = request.node.callspec.params["store"]
    assert isinstance(store, {"local": LocalStorage, "s3": S3Storage}[kind])


def test_a_file_is_kept_given_back_and_removed(store):
    assert not store.exists(KEY)
    store.put(KEY, b"\xff\xd8 photo bytes", "image/jpeg")
    assert store.exists(KEY) and store.get(KEY) == b"\xff\xd8 photo bytes"
    store.delete(KEY)
    assert not store.exists(KEY)
    with pytest.raises(KeyError):
        store.get(KEY)
    store.delete(KEY)  # removing a missing key is no error


def test_a_key_holding_other_bytes_is_never_replaced(store):
    store.put(KEY, b"first", "image/jpeg")
    with pytest.raises(StorageError, match="already stored"):
        store.put(KEY, b"second", "image/jpeg")
    assert store.get(KEY) == b"first"


@pytest.mark.parametrize(
    "key", ["../etc/passwd.jpg", "JR1/../../x.jpg", "JR1/a/b.jpg", "x.jpg", "JR1/a.JPG", ""]
)
def test_a_key_that_could_leave_the_store_is_refused(store, key):
    for call in (lambda: store.put(key, b"x", "image/jpeg"), lambda: store.get(key)):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError):
        store.exists(key)
    with pytest.raises(ValueError):
        store.delete(key)


# ----- S3: what the store holds, failures, configuration -----


def test_s3_objects_are_named_under_the_prefix_with_their_media_type(s3_bucket):
    store = storage()
    store.put(KEY, b"\x89PNG bytes", "image/png")
    assert s3_bucket.keys() == [f"evidence/{KEY}"]
    head = s3_bucket.head(f"evidence/{KEY}")
    assert head["ContentType"] == "image/png" and head["ContentLength"] == len(b"\x89PNG bytes")
    assert s3_bucket.body(f"evidence/{KEY}") == b"\x89PNG bytes"


def test_s3_a_retried_write_that_had_landed_is_a_success(s3_bucket):
    # A PUT whose answer was lost is sent again by boto3 and finds its own bytes there.
    store = storage()
    store.put(KEY, b"same bytes", "image/jpeg")
    store.put(KEY, b"same bytes", "image/jpeg")
    assert s3_bucket.keys() == [f"evidence/{KEY}"]


def test_s3_a_missing_bucket_is_a_storage_error_not_a_missing_file(s3_bucket, monkeypatch):
    monkeypatch.setenv("JIERU_EVIDENCE_S3_BUCKET", s3_bucket.name + "-gone")
    store = storage()
    with pytest.raises(StorageError, match="NoSuchBucket"):
        store.put(KEY, b"x", "image/jpeg")
    with pytest.raises(StorageError, match="NoSuchBucket"):
        store.get(KEY)


def test_s3_a_store_that_is_down_fails_fast(s3_bucket, monkeypatch):
    monkeypatch.setenv("JIERU_EVIDENCE_S3_ENDPOINT", nothing_listening())
    store = storage()
    started = time.monotonic()
    for call in (
        lambda: store.put(KEY, b"x", "image/jpeg"),
        lambda: store.get(KEY),
        lambda: store.exists(KEY),
        lambda: store.delete(KEY),
    ):
        with pytest.raises(StorageError):
            call()
    assert time.monotonic() - started < 30


def test_s3_one_client_per_configuration(s3_bucket):
    assert storage().client is storage().client


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JIERU_EVIDENCE_S3_BUCKET": ""}, "needs JIERU_EVIDENCE_S3_BUCKET"),
        ({"JIERU_EVIDENCE_S3_ADDRESSING": "sideways"}, "JIERU_EVIDENCE_S3_ADDRESSING"),
        ({"JIERU_EVIDENCE_S3_PREFIX": "../up"}, "JIERU_EVIDENCE_S3_PREFIX"),
        ({"JIERU_EVIDENCE_STORAGE": "ftp"}, "must be 'local' or 's3'"),
    ],
)
def test_a_misconfigured_store_is_refused_before_any_upload(s3_bucket, monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(StorageError, match=message):
        storage()
    with pytest.raises(StorageError, match=message):
        create_app(settings())  # the web service does not start


def test_the_prefix_is_normalised(s3_bucket):
    client = s3_client(s3_bucket.endpoint, REGION, "path")
    assert S3Storage(client, s3_bucket.name, "/a/b").prefix == "a/b/"
    assert S3Storage(client, s3_bucket.name, "").prefix == ""


# ----- Evidence uploads through the S3 store (SQLite and PostgreSQL) -----
# widget_db comes first: it resets the evidence settings, which s3_bucket then sets.


def test_an_upload_goes_to_the_bucket_with_a_reference_row(widget_db, s3_bucket):
    upload = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)

    assert upload.accepted and upload.number == MINE
    [row] = file_rows(widget_db.session_factory)
    assert s3_bucket.keys() == [f"evidence/{row.file_key}"]
    kept = s3_bucket.body(f"evidence/{row.file_key}")
    assert (
        row.size_bytes == len(kept) and Image.open(BytesIO(kept)).getexif().get_ifd(GPS_IFD) == {}
    )
    assert s3_bucket.head(f"evidence/{row.file_key}")["ContentType"] == "image/jpeg"
    assert stored_files(widget_db.evidence_dir) == []  # nothing on the local disk
    found = evidence.evidence_file(buyer_id="b1001", evidence_id=upload.evidence_id)
    assert found == evidence.StoredFile("image/jpeg", kept)


def test_a_failed_row_write_removes_the_object(widget_db, s3_bucket, monkeypatch):
    def fails(*args, **kwargs):
        raise RuntimeError("after the file, before the row")

    monkeypatch.setattr(evidence_files, "add_file", fails)
    with pytest.raises(RuntimeError):
        evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    assert s3_bucket.keys() == [] and file_rows(widget_db.session_factory) == []


def test_a_store_that_is_down_refuses_the_upload_and_keeps_no_row(
    widget_db, s3_bucket, monkeypatch
):
    first = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    monkeypatch.setenv("JIERU_EVIDENCE_S3_ENDPOINT", nothing_listening())

    upload = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)

    assert (upload.accepted, upload.reason) == (False, "unavailable")
    assert upload.message == "系统暂时无法保存凭证，这份没有保存。请稍后再试。"
    assert len(file_rows(widget_db.session_factory)) == 1
    with pytest.raises(ServiceUnavailable):  # the web service answers 503
        evidence.evidence_file(buyer_id="b1001", evidence_id=first.evidence_id)
