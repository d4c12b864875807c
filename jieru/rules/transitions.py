"""The one state machine for service-order (服务单), intervention (介入单) and hand-off statuses.

The allowed moves are data (``TRANSITIONS``); ``check_transition`` is the gate every
status change the project makes itself must pass (none today: the bot only files new
interventions, and imports mirror the platform's record, see the README). Status names
follow ``shared/fixtures/orders.schema.json``; ``is_final`` tells which ones end a dispute.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from jieru.rules.facts import OPEN_INTERVENTION_STATUSES

__all__ = [
    "AFTERSALE_STATUSES",
    "HANDOFF_STATUSES",
    "HandoffConflict",
    "INTERVENTION_STATUSES",
    "OPEN_INTERVENTION_STATUSES",
    "SETTLED_AFTERSALE_STATUSES",
    "TRANSITIONS",
    "InvalidTransition",
    "allowed_transitions",
    "check_transition",
    "is_final",
]

_F = frozenset

TRANSITIONS = MappingProxyType(
    {
        "aftersale": MappingProxyType(
            {
                "requested": _F(
                    {"merchant_rejected", "merchant_agreed", "refunded", "cancelled", "closed"}
                ),
                # Taobao: after a rejection the buyer may modify the request (修改协议) and wait for
                # the seller again; the platform may also rule for the buyer and refund.
                "merchant_rejected": _F({"requested", "refunded", "cancelled", "closed"}),
                "merchant_agreed": _F({"buyer_shipped", "refunded", "cancelled", "closed"}),
                "buyer_shipped": _F({"merchant_received", "refunded", "closed"}),
                # Taobao 退货验收: the seller inspects the returned goods and refunds, or objects;
                # JD 换货: the seller reships the exchanged goods (within 72 hours of receiving them).
                "merchant_received": _F({"refunded", "reshipped", "merchant_rejected", "closed"}),
                "refunded": _F(),
                "reshipped": _F({"closed"}),
                "closed": _F(),
                "cancelled": _F(),
            }
        ),
        "intervention": MappingProxyType(
            {
                # JD 交易纠纷处理程序: both sides provide evidence (凭证), then JD decides.
                "submitted": _F({"evidence", "review", "withdrawn"}),
                "evidence": _F({"review", "withdrawn"}),
                # The reviewer may ask for more evidence before deciding.
                "review": _F({"evidence", "decided", "withdrawn"}),
                "decided": _F(),
                "withdrawn": _F(),
            }
        ),
        # A conversation handed to a human agent (Chatwoot's open → assigned → resolved /
        # back to the bot). An open hand-off may be closed untaken (the buyer left).
        "handoff": MappingProxyType(
            {
                "open": _F({"taken", "closed"}),
                "taken": _F({"closed", "handed_back"}),
                "closed": _F(),
                "handed_back": _F(),
            }
        ),
    }
)

AFTERSALE_STATUSES: tuple[str, ...] = tuple(TRANSITIONS["aftersale"])
INTERVENTION_STATUSES: tuple[str, ...] = tuple(TRANSITIONS["intervention"])
# Service orders that are over for the buyer: final ones, and those that can only be
# closed (reshipped). Such a service order says nothing about a problem still going on:
# the eligibility engine, order matching and progress all skip them. The one definition,
# derived from the state machine.
SETTLED_AFTERSALE_STATUSES: frozenset[str] = frozenset(
    status for status, moves in TRANSITIONS["aftersale"].items() if moves <= {"closed"}
)

HANDOFF_STATUSES: tuple[str, ...] = tuple(TRANSITIONS["handoff"])


class InvalidTransition(ValueError):
    """A status change the state machine does not allow."""

    def __init__(self, kind: str, current: str, new: str) -> None:
        self.kind, self.current, self.new = kind, current, new
        allowed = sorted(TRANSITIONS[kind].get(current, ()))
        hint = (
            f"allowed from {current!r}: {', '.join(allowed)}"
            if allowed
            else f"{current!r} is final"
        )
        if current not in TRANSITIONS[kind] or new not in TRANSITIONS[kind]:
            hint = f"known {kind} statuses: {', '.join(TRANSITIONS[kind])}"
        super().__init__(f"{kind} status cannot change from {current!r} to {new!r} ({hint})")


class HandoffConflict(Exception):
    """A hand-off is not in the state an agent's action needs: another agent took it
    first, it is already closed or handed back, or someone else holds it.

    ``status``, ``taken_by`` and ``taken_at`` are what the database holds now; ``wanted``
    is the status (or the doing) the action needed."""

    def __init__(
        self,
        handoff_id: int,
        *,
        status: str,
        taken_by: str | None,
        taken_at: datetime | None,
        wanted: str,
    ) -> None:
        self.handoff_id, self.status, self.wanted = handoff_id, status, wanted
        self.taken_by, self.taken_at = taken_by, taken_at
        holder = f" by {taken_by}" if taken_by else ""
        super().__init__(f"hand-off {handoff_id} cannot be {wanted}: it is {status}{holder}")


def _table(kind: str):
    try:
        return TRANSITIONS[kind]
    except KeyError:
        raise ValueError(
            f"unknown status kind {kind!r}; expected one of {sorted(TRANSITIONS)}"
        ) from None


def allowed_transitions(kind: str, current: str) -> frozenset[str]:
    """The statuses ``current`` may move to (empty when it is final or unknown)."""
    return _table(kind).get(current, _F())


def check_transition(kind: str, current: str, new: str) -> None:
    """Return if ``current → new`` is allowed for ``kind``; raise ``InvalidTransition`` otherwise."""
    if new not in allowed_transitions(kind, current):
        raise InvalidTransition(kind, current, new)


def is_final(kind: str, status: str) -> bool:
    """True when ``status`` is known and nothing may follow it."""
    table = _table(kind)
    return status in table and not table[status]
