"""The web service's reminder poller: every ``POLL_SECONDS`` it fires the reminders whose
time has come (jieru.services.reminders) by having the bot speak in the buyer's
conversation (jieru.web.rasa_api). Runs for as long as the app that includes
``jieru.web.uploads.router`` runs, when ``JIERU_RASA_URL`` is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from jieru.config import settings
from jieru.services import ServiceUnavailable, rasa_client, reminders
from jieru.services.errors import RasaUnavailable
from jieru.web import rasa_api

logger = logging.getLogger(__name__)

POLL_SECONDS = 30.0


async def fire_due() -> int:
    """Fire every due reminder once; returns how many the bot took. A reminder the bot
    could not take goes back to pending for the next round."""
    fired = 0
    for due in await run_in_threadpool(reminders.due_reminders):
        if not await run_in_threadpool(reminders.claim, due.id):
            continue
        try:
            await rasa_client.trigger_intent(
                due.conversation_id, rasa_api.ELIGIBILITY_OPENED, {"reminder_id": str(due.id)}
            )
        except RasaUnavailable as exc:
            logger.warning("reminder %s not delivered, retried later: %s", due.id, exc)
            await run_in_threadpool(reminders.release, due.id)
            continue
        fired += 1
    return fired


async def poll(interval: float = POLL_SECONDS) -> None:
    """Fire due reminders forever, every ``interval`` seconds."""
    while True:
        try:
            await fire_due()
        except ServiceUnavailable as exc:
            logger.warning("reminders: database unavailable: %s", exc)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """Run the poller beside the app (only when there is a bot to tell)."""
    task = asyncio.create_task(poll()) if settings().rasa_url else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
