"""Evidence uploads on SQLite and PostgreSQL: type from content, size and count limits,
GPS removed, file on disk and a reference row, nothing kept for a refused file."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image, ImageOps
from sqlalchemy import select

from jieru.db.models import AuditLog, EvidenceItem
from jieru.services import evidence
from jieru.storage import LocalStorage, StorageError
from tests.services.conftest import MINE, THEIRS, stored_files
from tests.services.images import (
    EXE,
    GPS_IFD,
    ORIENTATION,
    camera_exif,
    heic_photo,
    large_photo,
    photo,
    truncated_jpeg,
    two_tone,
)


def file_rows(session_factory) -> list[EvidenceItem]:
    with session_factory() as s:
        return list(
            s.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.file_key.is_not(None))
                .order_by(EvidenceItem.id)
            )
        )


@pytest.mark.parametrize(
    ("fmt", "media_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_a_photo_is_stored_without_gps_and_keeps_its_orientation(widget_db, fmt, media_type):
    original = photo(fmt)
    assert Image.open(BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo has a location

    upload = evidence.upload_evidence(buyer_id="b1001", data=original, intervention=MINE)

    assert upload.accepted and upload.reason == "accepted"
    # JD's sources name no photo among the evidence (kb/evidence.yml): it is kept, and
    # ticks nothing on a JD intervention's checklist.
    assert (upload.number, upload.item, upload.item_label, upload.count, upload.limit) == (
        MINE,
        None,
        None,
        1,
        9,
    )
    assert upload.message == f"已收到这份凭证，已附到介入单 {MINE}（第 1 份，最多 9 份）。"
    [row] = file_rows(widget_db.session_factory)
    assert (row.id, row.kind, row.description, row.media_type, row.checklist_item) == (
        upload.evidence_id,
        "photo",
        "商品照片",
        media_type,
        None,
    )
    assert row.file_key.startswith(f"{MINE}/")
    kept = LocalStorage(widget_db.evidence_dir).get(row.file_key)
    assert row.size_bytes == len(kept)
    image = Image.open(BytesIO(kept))
    exif = image.getexif()
    assert image.format == fmt and image.size == (64, 48)
    assert GPS_IFD not in exif and exif.get_ifd(GPS_IFD) == {}
    assert exif[ORIENTATION] == 6
    assert b"GPSLatitude" not in kept and b"31,14.5N" not in kept  # nor in XMP
    assert stored_files(widget_db.evidence_dir) == [widget_db.evidence_dir / row.file_key]
    with widget_db.session_factory() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "add_evidence")).all()
    assert [(a.actor, a.entity_id, a.detail) for a in audit] == [
        ("buyer:b1001", MINE, {"kind": "photo"})
    ]


def test_a_phones_heic_photo_is_kept_as_a_jpeg_without_gps_turned_as_shown(widget_db):
    original = heic_photo(orientation=6)  # taken with the phone on its side
    assert original[4:12] == b"ftypheic"
    assert Image.open(BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it has a location
    assert b"31,14.5N" in original

    upload = evidence.upload_evidence(buyer_id="b1001", data=original, intervention=MINE)

    assert (upload.accepted, upload.reason, upload.media_type) == (True, "accepted", "image/jpeg")
    [row] = file_rows(widget_db.session_factory)
    assert (row.media_type, row.file_key.endswith(".jpg")) == ("image/jpeg", True)
    kept = LocalStorage(widget_db.evidence_dir).get(row.file_key)
    assert row.size_bytes == len(kept)
    image = Image.open(BytesIO(kept))
    exif = image.getexif()
    assert GPS_IFD not in exif and exif.get_ifd(GPS_IFD) == {}
    assert b"GPSLatitude" not in kept and b"31,14.5N" not in kept  # nor in XMP
    assert exif[0x010F] == "TestPhone"  # the rest of the camera's EXIF stays
    # Stored the way a JPEG with the same orientation is shown (exif_transpose), so a
    # viewer that honours the EXIF orientation or one that ignores it shows it upright.
    assert exif.get(ORIENTATION, 1) == 1
    jpeg = BytesIO()
    two_tone().save(jpeg, "JPEG", exif=camera_exif(6).tobytes())
    shown = ImageOps.exif_transpose(Image.open(jpeg))
    assert image.format == "JPEG" and image.size == shown.size == (48, 64)
    for point in [(24, 8), (24, 56), (8, 32), (40, 32)]:
        got, want = image.getpixel(point), shown.getpixel(point)
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) < 40, point
    assert stored_files(widget_db.evidence_dir) == [widget_db.evidence_dir / row.file_key]


def test_the_buyers_chosen_item_is_ticked(widget_db):
    upload = evidence.upload_evidence(
        buyer_id="b1001", data=photo("PNG"), intervention=MINE, item="jd_notice"
    )
    assert (upload.item, upload.item_label) == ("jd_notice", "平台通知要求的凭证")
    assert file_rows(widget_db.session_factory)[0].checklist_item == "jd_notice"


def test_an_item_off_the_problems_checklist_is_stored_but_ticks_nothing(widget_db):
    # report_refund_refused's checklist has no unboxing video.
    upload = evidence.upload_evidence(
        buyer_id="b1001", data=photo(), intervention=MINE, item="unboxing_video"
    )
    assert upload.accepted and upload.item is None
    assert upload.message == f"已收到这份凭证，已附到介入单 {MINE}（第 1 份，最多 9 份）。"
    assert file_rows(widget_db.session_factory)[0].checklist_item is None


def test_an_unknown_item_counts_as_a_photo(widget_db):
    upload = evidence.upload_evidence(
        buyer_id="b1001", data=photo(), intervention=MINE, item="<script>"
    )
    [row] = file_rows(widget_db.session_factory)
    assert (upload.item, row.kind, row.description) == (None, "photo", "商品照片")


def test_no_number_means_the_buyers_current_open_intervention(widget_db):
    upload = evidence.upload_evidence(buyer_id="b1001", data=photo())
    assert upload.accepted and upload.number == MINE


def test_a_6_mb_file_is_refused_and_nothing_is_stored(widget_db):
    upload = evidence.upload_evidence(buyer_id="b1001", data=large_photo(), intervention=MINE)
    assert (upload.accepted, upload.reason) == (False, "too_large")
    assert upload.message == "这个文件超过 5 MB，没有保存。请压缩一下或截取需要的部分再传。"
    assert file_rows(widget_db.session_factory) == [] and stored_files(widget_db.evidence_dir) == []


def test_a_renamed_exe_is_refused_by_its_content(widget_db):
    upload = evidence.upload_evidence(buyer_id="b1001", data=EXE, intervention=MINE)
    assert (upload.accepted, upload.reason) == (False, "not_image")
    assert "不是图片" in upload.message
    assert file_rows(widget_db.session_factory) == [] and stored_files(widget_db.evidence_dir) == []


@pytest.mark.parametrize(
    "data",
    [truncated_jpeg(), b"\x89PNG\r\n\x1a\n" + bytes(100), heic_photo()[:400]],
    ids=["cut-jpeg", "png-header", "cut-heic"],
)
def test_an_image_that_does_not_decode_is_refused(widget_db, data):
    upload = evidence.upload_evidence(buyer_id="b1001", data=data, intervention=MINE)
    assert (upload.accepted, upload.reason) in {(False, "corrupt"), (False, "not_image")}
    assert file_rows(widget_db.session_factory) == [] and stored_files(widget_db.evidence_dir) == []


def test_a_gif_is_not_an_accepted_format(widget_db):
    out = BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    assert (
        evidence.upload_evidence(buyer_id="b1001", data=out.getvalue(), intervention=MINE).reason
        == "not_image"
    )


def test_an_empty_file_is_refused(widget_db):
    assert evidence.upload_evidence(buyer_id="b1001", data=b"", intervention=MINE).reason == "empty"


def test_the_tenth_file_is_refused(widget_db):
    replies = [
        evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
        for _ in range(10)
    ]
    assert [r.accepted for r in replies] == [True] * 9 + [False]
    assert [r.count for r in replies[:9]] == list(range(1, 10))
    assert replies[9].reason == "too_many"
    assert (
        replies[9].message
        == f"每个介入单最多上传 9 份凭证，介入单 {MINE} 已经传满了，这份没有保存。"
    )
    rows = file_rows(widget_db.session_factory)
    assert len(rows) == 9 and len(stored_files(widget_db.evidence_dir)) == 9
    assert len({r.file_key for r in rows}) == 9


def test_someone_elses_intervention_reads_like_an_unknown_one(widget_db):
    theirs = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=THEIRS)
    unknown = evidence.upload_evidence(
        buyer_id="b1001", data=photo(), intervention="JR20990101000000"
    )
    assert theirs == unknown
    assert (theirs.accepted, theirs.reason) == (False, "unknown_intervention")
    assert file_rows(widget_db.session_factory) == [] and stored_files(widget_db.evidence_dir) == []


def test_a_buyer_without_an_open_intervention_is_told_to_apply_first(widget_db):
    upload = evidence.upload_evidence(buyer_id="b-nobody", data=photo())
    assert (upload.accepted, upload.reason) == (False, "no_current_intervention")


def test_a_closed_intervention_takes_no_more_evidence(widget_db):
    from jieru.db.models import Intervention

    with widget_db.session_factory.begin() as s:
        s.scalars(
            select(Intervention).where(Intervention.number == MINE)
        ).one().status = "withdrawn"
    upload = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    assert (upload.reason, upload.message) == (
        "closed",
        f"介入单 {MINE} 现在是“已撤销”，不能再补充凭证，这份没有保存。",
    )


class BrokenStorage(LocalStorage):
    def put(self, key, data, media_type):
        raise StorageError("disk full")


def test_a_storage_failure_stores_nothing(widget_db):
    upload = evidence.upload_evidence(
        buyer_id="b1001",
        data=photo(),
        intervention=MINE,
        store=BrokenStorage(widget_db.evidence_dir),
    )
    assert (upload.accepted, upload.reason) == (False, "unavailable")
    assert file_rows(widget_db.session_factory) == []


class RowFails(LocalStorage):
    """Stores the file, then the database write fails: the file must be removed again."""

    def put(self, key, data, media_type):
        super().put(key, data, media_type)
        self.kept = key
        raise RuntimeError("after the file, before the row")


def test_a_failed_row_write_removes_the_file(widget_db):
    store = RowFails(widget_db.evidence_dir)
    with pytest.raises(RuntimeError):
        evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE, store=store)
    assert store.kept and stored_files(widget_db.evidence_dir) == []
    assert file_rows(widget_db.session_factory) == []


def test_the_receipt_says_what_is_ticked_and_what_is_missing(widget_db):
    first = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE, item="jd_notice")
    receipt = evidence.receipt(buyer_id="b1001", evidence_id=first.evidence_id)
    assert receipt == evidence.Receipt(
        evidence_id=first.evidence_id,
        number=MINE,
        item_label="商品照片",
        ticked=False,
        count=2,
        limit=9,
        done=("平台通知要求的凭证",),
        missing=("情况说明",),
    )
    assert evidence.receipt(buyer_id="b2002", evidence_id=first.evidence_id) is None
