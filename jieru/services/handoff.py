"""Hand a conversation to a human agent with a summary they can act on."""

from __future__ import annotations

from jieru import config
from jieru.db import repository
from jieru.services import agents, transaction
from jieru.services.disputes import decide


def hand_off(
    *,
    conversation_id: str,
    buyer_id: str | None,
    reason: str,
    summary: str,
    order_id: str | None = None,
    problem: str | None = None,
    bot_did: tuple[str, ...] = (),
    filed: tuple[str, ...] = (),
) -> int:
    """Queue the conversation for an agent; the hand-off's id.

    Besides the text ``summary`` the record keeps the case as data (``agents.case_details``):
    the buyer's order and the eligibility decision on it, when the buyer named one."""
    order = decision = None
    with transaction() as session:
        if buyer_id and order_id:
            row = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
            if row is not None:
                order = repository.to_facts(row)
                decision = decide(order, now=config.now())
        details = agents.case_details(
            buyer_id=buyer_id,
            order=order,
            decision=decision,
            problem=problem,
            bot_did=bot_did,
            filed=filed,
        )
        handoff = repository.create_handoff(
            session,
            conversation_id=conversation_id,
            buyer_id=buyer_id,
            reason=reason,
            summary=summary,
            details=details,
            actor="bot",
            created_at=config.now(),
        )
        return handoff.id
