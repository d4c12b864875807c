"""Hand a conversation to a human agent with a summary they can act on."""
from __future__ import annotations

from jieru import config
from jieru.db import repository
from jieru.services import transaction


def hand_off(*, conversation_id: str, buyer_id: str | None, reason: str, summary: str) -> int:
    """Queue the conversation for an agent; the hand-off's id."""
    with transaction() as session:
        row = repository.create_handoff(
            session, conversation_id=conversation_id, buyer_id=buyer_id, reason=reason,
            summary=summary, actor="bot", created_at=config.now(),
        )
        return row.id
