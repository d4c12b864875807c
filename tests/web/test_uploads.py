"""POST /api/evidence over HTTP (FastAPI's TestClient): the token decides the buyer, the
content decides the type, and every refusal is JSON with the Chinese message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jieru.db.models import EvidenceItem
from tests.channels.tokens import REFUSED
from tests.fake_rasa import trigger_request
from tests.services.conftest import MINE, THEIRS, stored_files
from tests.services.images import EXE, large_photo, photo
from tests.web.conftest import bearer


def files_in_db(widget_db) -> int:
    with widget_db.session_factory() as s:
        return s.scalar(
            select(func.count()).select_from(EvidenceItem).where(EvidenceItem.file_key.is_not(None))
        )


def post(client, data: bytes, *, headers=None, name="photo.jpg", content_type="image/jpeg", **form):
    return client.post(
        "/api/evidence",
        headers=bearer() if headers is None else headers,
        files={"file": (name, data, content_type)},
        data=form,
    )


def test_an_accepted_photo(client, widget_db):
    reply = post(client, photo(), intervention=MINE)
    assert reply.status_code == 201
    body = reply.json()
    evidence_id = body["evidence"]["id"]
    assert body == {
        "accepted": True,
        "reason": "accepted",
        # JD's sources name no photo: kept, ticking nothing on its checklist.
        "message": f"已收到这份凭证，已附到介入单 {MINE}（第 1 份，最多 9 份）。",
        "evidence": {
            "id": evidence_id,
            "intervention": MINE,
            "item": None,
            "item_label": None,
            "count": 1,
            "limit": 9,
            "media_type": "image/jpeg",
        },
    }
    assert files_in_db(widget_db) == 1


def test_a_phones_heic_photo_is_taken_by_its_content_and_given_back_as_a_jpeg(client, widget_db):
    from tests.services.images import heic_photo

    # Sent as some Android browsers send it: no image content type.
    reply = post(
        client,
        heic_photo(),
        name="IMG_0001.HEIC",
        content_type="application/octet-stream",
        intervention=MINE,
    )
    assert reply.status_code == 201 and reply.json()["evidence"]["media_type"] == "image/jpeg"
    stored = client.get(f"/api/evidence/{reply.json()['evidence']['id']}", headers=bearer())
    assert stored.headers["content-type"] == "image/jpeg" and stored.content[:2] == b"\xff\xd8"


def test_current_means_the_buyers_open_intervention_and_item_is_the_buyers_choice(client):
    body = post(
        client,
        photo("PNG"),
        name="x.bin",
        content_type="application/octet-stream",
        intervention="current",
        item="jd_notice",
    ).json()
    assert (body["accepted"], body["evidence"]["intervention"], body["evidence"]["item"]) == (
        True,
        MINE,
        "jd_notice",
    )
    assert body["evidence"]["media_type"] == "image/png"  # from the content, not the name or header


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="none"),
        pytest.param({"Authorization": "Basic Zm9vOmJhcg=="}, id="basic"),
        *(
            pytest.param({"Authorization": f"Bearer {token}"}, id=name)
            for name, token, _ in REFUSED
        ),
    ],
)
def test_no_valid_token_no_upload(client, widget_db, headers):
    reply = post(client, photo(), headers=headers, intervention=MINE)
    assert reply.status_code == 401
    assert reply.json() == {
        "accepted": False,
        "reason": "unauthorized",
        "message": "请先登录后再上传凭证。",
        "evidence": None,
    }
    assert files_in_db(widget_db) == 0 and stored_files(widget_db.evidence_dir) == []


def test_a_buyer_id_sent_by_the_page_is_ignored(client):
    # The form says b2002; the token says b1001: b2002's intervention stays out of reach.
    reply = post(client, photo(), intervention=THEIRS, buyer_id="b2002")
    assert reply.status_code == 404


def test_a_6_mb_photo_is_refused(client, widget_db):
    reply = post(client, large_photo(), name="big.png", content_type="image/png", intervention=MINE)
    assert reply.status_code == 413
    assert reply.json()["reason"] == "too_large"
    assert (
        reply.json()["message"] == "这个文件超过 5 MB，没有保存。请压缩一下或截取需要的部分再传。"
    )
    assert files_in_db(widget_db) == 0 and stored_files(widget_db.evidence_dir) == []


def test_a_renamed_exe_is_refused(client, widget_db):
    reply = post(client, EXE, name="photo.jpg", content_type="image/jpeg", intervention=MINE)
    assert reply.status_code == 415
    assert reply.json()["reason"] == "not_image"
    assert files_in_db(widget_db) == 0 and stored_files(widget_db.evidence_dir) == []


def test_someone_elses_intervention_is_refused_like_an_unknown_one(client, widget_db):
    theirs = post(client, photo(), intervention=THEIRS)
    unknown = post(client, photo(), intervention="JR20990101000000")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert files_in_db(widget_db) == 0


def test_the_tenth_file_is_refused(client, widget_db):
    codes = [post(client, photo(), intervention=MINE).status_code for _ in range(10)]
    assert codes == [201] * 9 + [409]
    assert files_in_db(widget_db) == 9


def test_no_file_is_a_clear_refusal(client):
    reply = client.post("/api/evidence", headers=bearer(), data={"intervention": MINE})
    assert (reply.status_code, reply.json()["reason"]) == (400, "empty")


def test_the_bot_is_told_about_each_accepted_file_only(client, fake_rasa):
    accepted = post(client, photo(), intervention=MINE).json()
    post(client, EXE, intervention=MINE)
    assert fake_rasa.requests == [
        trigger_request(
            "b1001", "inform_evidence_uploaded", evidence_id=str(accepted["evidence"]["id"])
        )
    ]


def test_a_bot_that_cannot_be_reached_does_not_lose_the_file(client, fake_rasa, widget_db):
    fake_rasa.fail_with = 500
    assert post(client, photo(), intervention=MINE).status_code == 201
    assert files_in_db(widget_db) == 1 and len(fake_rasa.requests) == 1


def test_a_body_sent_without_a_length_is_not_read_past_the_limit(client, widget_db):
    def chunks():  # no Content-Length: the client sends it chunked
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        for _ in range(7):
            yield bytes(1024 * 1024)
        yield b"\r\n--x--\r\n"

    headers = {**bearer(), "Content-Type": "multipart/form-data; boundary=x"}
    reply = client.post("/api/evidence", headers=headers, content=chunks())
    assert (reply.status_code, reply.json()["reason"]) == (413, "too_large")
    assert files_in_db(widget_db) == 0 and stored_files(widget_db.evidence_dir) == []


@pytest.mark.parametrize(
    "body", [b'{"file": "aGVsbG8="}', b"--x\r\nbroken"], ids=["json", "broken-multipart"]
)
def test_a_body_that_is_not_a_multipart_form_is_refused(client, body):
    content_type = (
        "application/json" if body.startswith(b"{") else "multipart/form-data; boundary=x"
    )
    reply = client.post(
        "/api/evidence", headers={**bearer(), "Content-Type": content_type}, content=body
    )
    assert (reply.status_code, reply.json()["reason"]) == (400, "empty")


def test_the_buyer_gets_back_the_stored_copy_without_gps_and_no_one_else_does(client):
    from io import BytesIO

    from PIL import Image

    from tests.services.images import GPS_IFD

    evidence_id = post(client, photo(), intervention=MINE).json()["evidence"]["id"]
    mine = client.get(f"/api/evidence/{evidence_id}", headers=bearer())
    assert mine.status_code == 200 and mine.headers["content-type"] == "image/jpeg"
    assert mine.headers["x-content-type-options"] == "nosniff"
    assert Image.open(BytesIO(mine.content)).getexif().get_ifd(GPS_IFD) == {}
    theirs = client.get(f"/api/evidence/{evidence_id}", headers=bearer("b2002"))
    unknown = client.get("/api/evidence/999999", headers=bearer("b2002"))
    assert theirs.status_code == unknown.status_code == 404 and theirs.json() == unknown.json()
    assert client.get(f"/api/evidence/{evidence_id}").status_code == 401
