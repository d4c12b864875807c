"""``POST /api/evidence``: a buyer's photo or screenshot for an intervention.

Request: ``Authorization: Bearer <JWT>`` (jieru.auth; the buyer is the token's ``sub``
and nothing the page sends), multipart form with ``file`` (one file), optionally
``intervention`` (its number; absent, empty or ``current``: the buyer's current open one)
and ``item`` (the kb/evidence.yml item the buyer says the file is; default a photo).

Reply, always JSON ``{"accepted": bool, "reason": str, "message": str, "evidence": {...} | null}``
with the Chinese message from kb/widget.yml:
201 accepted; 401 no or bad token (checked before the body is read); 400 no file or not a
multipart form; 413 too large (a body over the limit is never read past it, with or
without Content-Length); 415 not an image; 422 an image that does not decode; 404 unknown intervention (or
someone else's); 409 intervention closed or full; 503 database or storage unavailable.
After an accepted file the bot is told (jieru.web.rasa_api), in the background.

``GET /api/evidence/<id>`` (same token) gives back the stored copy of one of the buyer's
own files (without GPS); someone else's, or an unknown id: 404.

The router also runs the reminder poller (jieru.web.reminders) for the app that includes it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from jieru.auth import AuthError, MissingSecretError, bearer_token, verify_token
from jieru.services import ServiceUnavailable
from jieru.services import evidence as service
from jieru.web import rasa_api
from jieru.web.reminders import lifespan

router = APIRouter(lifespan=lifespan)

STATUS = {
    "accepted": 201,
    "unauthorized": 401,
    "empty": 400,
    "too_large": 413,
    "not_image": 415,
    "corrupt": 422,
    "unknown_intervention": 404,
    "no_current_intervention": 404,
    "closed": 409,
    "too_many": 409,
    "unavailable": 503,
}
# Room for the multipart envelope and the form's small fields around the file itself.
ENVELOPE_BYTES = 64 * 1024
CURRENT = {"", "current"}


def _reply(upload: service.Upload) -> JSONResponse:
    evidence: dict[str, Any] | None = None
    if upload.accepted:
        evidence = {
            "id": upload.evidence_id,
            "intervention": upload.number,
            "item": upload.item,
            "item_label": upload.item_label,
            "count": upload.count,
            "limit": upload.limit,
            "media_type": upload.media_type,
        }
    body = {
        "accepted": upload.accepted,
        "reason": upload.reason,
        "message": upload.message,
        "evidence": evidence,
    }
    headers = (
        {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        if upload.reason == "unauthorized"
        else None
    )
    return JSONResponse(body, status_code=STATUS[upload.reason], headers=headers)


def _buyer(request: Request) -> str | None:
    try:
        return verify_token(bearer_token(request.headers.get("authorization")))
    except (AuthError, MissingSecretError):
        return None


@router.post("/api/evidence")
async def post_evidence(request: Request, background: BackgroundTasks) -> JSONResponse:
    buyer = _buyer(request)
    if buyer is None:
        return _reply(service.refusal("unauthorized"))
    max_bytes = service.upload_rules()["max_bytes"]
    body = await _body(request, limit=max_bytes + ENVELOPE_BYTES)
    if body is None:
        return _reply(service.refusal("too_large"))  # refused before any of it is parsed
    if not (request.headers.get("content-type") or "").startswith("multipart/form-data"):
        return _reply(service.refusal("empty"))
    try:
        form = await MultiPartParser(
            request.headers, _replay(body), max_files=1, max_fields=4
        ).parse()
    except MultiPartException:
        return _reply(service.refusal("empty"))
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            return _reply(service.refusal("empty"))
        data = await file.read(max_bytes + 1)  # one byte more than allowed tells "too large"
        number = str(form.get("intervention") or "").strip()
        item = str(form.get("item") or "").strip() or None
    finally:
        await form.close()
    try:
        upload = await run_in_threadpool(
            service.upload_evidence,
            buyer_id=buyer,
            data=data,
            intervention=None if number.lower() in CURRENT else number,
            item=item,
        )
    except ServiceUnavailable:
        return _reply(service.refusal("unavailable"))
    if upload.accepted and upload.evidence_id is not None:
        background.add_task(rasa_api.tell_evidence_uploaded, buyer, upload.evidence_id)
    return _reply(upload)


async def _body(request: Request, *, limit: int) -> bytes | None:
    """The request body, or None as soon as it passes ``limit`` bytes: a declared length
    over it is refused unread, and a body sent without one (chunked) is never read past
    it, so an upload holds at most ``limit`` bytes of memory."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def _replay(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


@router.get("/api/evidence/{evidence_id}")
async def get_evidence(request: Request, evidence_id: int) -> Response:
    """The stored copy of one of the buyer's own files (someone else's reads as unknown)."""
    buyer = _buyer(request)
    if buyer is None:
        return _reply(service.refusal("unauthorized"))
    try:
        found = await run_in_threadpool(
            service.evidence_file, buyer_id=buyer, evidence_id=evidence_id
        )
    except ServiceUnavailable:
        return _reply(service.refusal("unavailable"))
    if found is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    # Served as the image it was checked to be, never sniffed as anything else.
    return Response(
        found.data,
        media_type=found.media_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
