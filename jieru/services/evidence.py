"""Evidence files a buyer uploads to an intervention, and the bot's receipt for each.

A file is accepted only when every check passes, in this order: it is not empty and at
most ``uploads.max_bytes`` (kb/widget.yml); its *content* is an image of an accepted
format (Pillow reads the magic bytes: the name and the browser's content type are never
looked at) that decodes completely; the intervention is the buyer's own (someone else's
reads exactly like an unknown one) and still open; it has fewer than
``uploads.max_per_intervention`` files. The stored copy is re-encoded without EXIF GPS
(location) and without XMP, keeping the orientation. A phone's HEIC/HEIF photo (read by
pi-heif, libheif's decoder without an encoder) is stored as a JPEG: most browsers, the
agent console's among them, cannot show HEIC. The file goes to ``jieru.storage``
and a reference row to the evidence table in one transaction: a refused file, or one whose
row cannot be written, leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import secrets
import warnings
from contextlib import suppress
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pi_heif
from PIL import Image, UnidentifiedImageError

from jieru import config
from jieru.db import evidence_files
from jieru.kb import load_yaml
from jieru.kb.evidence import checklist, problems
from jieru.kb.faq import load_checked
from jieru.services import ServiceUnavailable, transaction
from jieru.storage import Storage, StorageError, storage

WIDGET_FILE = "widget.yml"
WIDGET_SCHEMA = "widget.schema.json"
GPS_IFD = 0x8825  # EXIF pointer to the GPS (location) block
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
JPEG_QUALITY = 92  # for photos decoded from another format (HEIF): no visible loss

# HEIF photos open like any other format; thumbnails, depth maps and auxiliary images
# are never used, so they are not decoded.
pi_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


def upload_rules() -> dict[str, Any]:
    """kb/widget.yml's ``uploads``: limits, accepted formats and the replies."""
    return load_checked(WIDGET_FILE, WIDGET_SCHEMA)["uploads"]


def _evidence_names() -> dict[str, dict]:
    return load_yaml("labels.yml")["evidence"]


def _status_label(status: str) -> str:
    return load_yaml("labels.yml")["intervention_status"].get(status, status)


class _Refused(Exception):
    """A file that fails a check: ``reason`` is a key of ``uploads.messages``."""

    def __init__(self, reason: str, **values: Any) -> None:
        super().__init__(reason)
        self.reason, self.values = reason, values


@dataclass(frozen=True)
class Upload:
    """The answer to one upload, ready for the web service to send."""

    accepted: bool
    reason: str  # "accepted", or the refusal (a key of kb/widget.yml uploads.messages)
    message: str  # Chinese, for the buyer
    evidence_id: int | None = None
    number: str | None = None  # the intervention
    item: str | None = None  # the kb/evidence.yml checklist item ticked, if any
    item_label: str | None = None
    count: int = 0  # files on the intervention, this one included
    limit: int = 0
    media_type: str | None = None


@dataclass(frozen=True)
class CleanImage:
    format: str
    media_type: str
    data: bytes
    width: int
    height: int


def message(reason: str, **values: Any) -> str:
    """The buyer's text for ``reason``, with the limits filled in."""
    rules = upload_rules()
    values = {
        "max_mb": rules["max_bytes"] // (1024 * 1024),
        "limit": rules["max_per_intervention"],
        **values,
    }
    return rules["messages"][reason].format_map(values)


def refusal(reason: str, **values: Any) -> Upload:
    return Upload(
        False, reason, message(reason, **values), limit=upload_rules()["max_per_intervention"]
    )


def clean_image(data: bytes) -> CleanImage:
    """The image in ``data``, re-encoded without location metadata; ``_Refused`` when the
    content is not an accepted image or does not decode."""
    formats: dict[str, str] = upload_rules()["formats"]
    Image.init()
    readable = [f for f in formats if f in Image.OPEN]  # HEIF through pi-heif
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused like any file that is not a usable photo.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(BytesIO(data), formats=readable)
            image.load()
    except UnidentifiedImageError:
        raise _Refused("not_image") from None
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise _Refused("corrupt") from None
    fmt = image.format or ""
    media_type = formats[fmt]  # kb/widget.yml: a HEIF photo is kept as a JPEG
    exif = image.getexif()
    exif.pop(GPS_IFD, None)  # location; the orientation tag stays
    out = BytesIO()
    params: dict[str, Any] = {"exif": exif.tobytes()}
    if image.info.get("icc_profile"):
        params["icc_profile"] = image.info["icc_profile"]
    save_as = "JPEG" if media_type == "image/jpeg" else fmt
    if save_as == "JPEG" and fmt in ("JPEG", "MPO"):
        params["quality"] = "keep"  # the original quantisation: no visible recompression
    elif save_as == "JPEG":
        # pi-heif hands over the pixels already turned as the photo is shown, with EXIF
        # orientation 1; JPEG has no alpha.
        params["quality"] = JPEG_QUALITY
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    elif save_as == "WEBP":
        params["lossless"] = bool(image.info.get("lossless"))
        params["quality"] = 90
    try:
        image.save(out, save_as, **params)
    except (OSError, ValueError):
        raise _Refused("corrupt") from None
    return CleanImage(save_as, media_type, out.getvalue(), image.width, image.height)


def _ticked(item: str | None, problem: str | None, platform: str) -> tuple[str, str | None]:
    """(item the file stands for, the checklist item it ticks or None)."""
    names = _evidence_names()
    chosen = item if item in names else upload_rules()["default_item"]
    if problem not in problems():
        return chosen, None
    ids = {i.id for i in checklist(problem, platform)}
    return chosen, chosen if chosen in ids else None


def upload_evidence(
    *,
    buyer_id: str,
    data: bytes,
    intervention: str | None = None,
    item: str | None = None,
    store: Storage | None = None,
) -> Upload:
    """Check, clean and keep one file for the buyer's intervention ``intervention`` (its
    number), or for their current open intervention when None. Never raises for a bad
    file: the refusal is the answer. ``ServiceUnavailable`` when the database is down."""
    rules = upload_rules()
    limit = rules["max_per_intervention"]
    if not data:
        return refusal("empty")
    if len(data) > rules["max_bytes"]:
        return refusal("too_large")
    try:
        image = clean_image(data)
    except _Refused as refused:
        return refusal(refused.reason, **refused.values)
    store = store or storage()
    now = config.now()
    key = None
    try:
        with transaction() as session:
            row = evidence_files.buyer_intervention(
                session, buyer_id=buyer_id, number=intervention, lock=True
            )
            if row is None:
                return refusal(
                    "unknown_intervention" if intervention else "no_current_intervention"
                )
            if not row.is_open:
                return refusal("closed", number=row.number, status=_status_label(row.status))
            count = evidence_files.count_files(session, intervention_id=row.id)
            if count >= limit:
                return refusal("too_many", number=row.number)
            chosen, ticked = _ticked(item, row.problem, row.aftersale.order.shop.platform)
            name = _evidence_names()[chosen]
            key = f"{row.number}/{secrets.token_hex(16)}.{EXTENSIONS[image.media_type]}"
            store.put(key, image.data, image.media_type)
            added = evidence_files.add_file(
                session,
                number=row.number,
                kind=name["kind"],
                description=name["name"],
                file_key=key,
                media_type=image.media_type,
                size_bytes=len(image.data),
                sha256=hashlib.sha256(image.data).hexdigest(),
                checklist_item=ticked,
                actor=f"buyer:{buyer_id}",
                added_at=now,
            )
            number, evidence_id = row.number, added.id
    except BaseException as exc:
        # No row was written: the file must not stay either. That includes a write the
        # store reported as failed, which may still have landed (a lost answer).
        if key is not None:
            with suppress(StorageError):
                store.delete(key)
        if isinstance(exc, StorageError):
            return refusal("unavailable")
        raise
    label = name["name"]
    reply = message(
        "accepted" if ticked else "accepted_off_checklist",
        item=label,
        number=number,
        count=count + 1,
    )
    return Upload(
        True,
        "accepted",
        reply,
        evidence_id,
        number,
        ticked,
        label if ticked else None,
        count + 1,
        limit,
        image.media_type,
    )


@dataclass(frozen=True)
class Receipt:
    """What the bot says about one stored file: where it went and where the checklist stands."""

    evidence_id: int
    number: str
    item_label: str  # what the file was taken as ("商品照片")
    ticked: bool  # whether it ticks an item of the intervention's checklist
    count: int
    limit: int
    done: tuple[str, ...] = field(
        default_factory=tuple
    )  # checklist items with a file, by short name
    missing: tuple[str, ...] = field(default_factory=tuple)  # the rest


def receipt(*, buyer_id: str, evidence_id: int) -> Receipt | None:
    """The receipt of the buyer's uploaded file ``evidence_id``; None when it is not theirs."""
    names = _evidence_names()
    with transaction() as session:
        row = evidence_files.buyer_file(session, buyer_id=buyer_id, evidence_id=evidence_id)
        if row is None:
            return None
        intervention = row.intervention
        count = evidence_files.count_files(session, intervention_id=intervention.id)
        ticked = evidence_files.ticked_items(session, intervention_id=intervention.id)
        platform = intervention.aftersale.order.shop.platform
        items = (
            checklist(intervention.problem, platform) if intervention.problem in problems() else []
        )
    short = [(i.id, names.get(i.id, {}).get("name", i.label)) for i in items]
    return Receipt(
        evidence_id=evidence_id,
        number=intervention.number,
        item_label=row.description,
        ticked=row.checklist_item is not None,
        count=count,
        limit=upload_rules()["max_per_intervention"],
        done=tuple(n for i, n in short if i in ticked),
        missing=tuple(n for i, n in short if i not in ticked),
    )


@dataclass(frozen=True)
class StoredFile:
    media_type: str
    data: bytes


def evidence_file(
    *, buyer_id: str, evidence_id: int, store: Storage | None = None
) -> StoredFile | None:
    """The stored (GPS-free) copy of the buyer's uploaded file; None when it is not theirs
    or no longer kept; ``ServiceUnavailable`` when the database or the store is down."""
    with transaction() as session:
        row = evidence_files.buyer_file(session, buyer_id=buyer_id, evidence_id=evidence_id)
        if row is None or row.file_key is None or row.media_type is None:
            return None
        key, media_type = row.file_key, row.media_type
    try:
        return StoredFile(media_type, (store or storage()).get(key))
    except KeyError:
        return None
    except StorageError as exc:
        raise ServiceUnavailable(str(exc)) from exc
