"""Plain, immutable facts about an order that the business rules reason over.

The data layer maps its rows to these (``jieru.services``); the rules never see ORM
objects, so they stay pure and are tested without a database. Field names and
values follow ``shared/fixtures/orders.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import Enum


@dataclass(frozen=True)
class InterventionFacts:
    number: str
    status: str  # submitted | evidence | review | decided | withdrawn
    opened_at: datetime
    evidence_due_at: datetime | None = None
    decided_at: datetime | None = None
    decision: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INTERVENTION_STATUSES


OPEN_INTERVENTION_STATUSES = frozenset({"submitted", "evidence", "review"})


@dataclass(frozen=True)
class AfterSaleFacts:
    id: str
    type: str  # refund | return_refund | exchange
    status: str  # requested | merchant_rejected | merchant_agreed | buyer_shipped | ...
    requested_at: datetime
    reason: str | None = None
    amount: Decimal | None = None
    buyer_modified_at: datetime | None = None
    merchant_rejected_at: datetime | None = None
    merchant_agreed_at: datetime | None = None
    buyer_shipped_at: datetime | None = None
    merchant_received_at: datetime | None = None
    refunded_at: datetime | None = None
    reshipped_at: datetime | None = None
    dispute_opened_at: datetime | None = None
    interventions: tuple[InterventionFacts, ...] = ()

    @property
    def open_intervention(self) -> InterventionFacts | None:
        return next((i for i in self.interventions if i.is_open), None)


# The times of the steps a service order goes through after the request, in their order:
# the import file, the database and the facts name them alike. (The dispute's opening is
# a row of its own.)
AFTERSALE_STEP_TIMES = tuple(
    f.name
    for f in fields(AfterSaleFacts)
    if f.name.endswith("_at") and f.name not in ("requested_at", "dispute_opened_at")
)


@dataclass(frozen=True)
class OrderFacts:
    id: str
    buyer_id: str
    platform: str  # jd | taobao | tmall | pdd | xianyu
    shop_name: str
    self_operated: bool
    title: str
    goods_type: str  # physical | virtual
    amount: Decimal
    payment_method: str  # online | cod | other
    status: str  # awaiting_payment | awaiting_shipment | shipped | delivered | completed | cancelled | closed
    created_at: datetime
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    aftersales: tuple[AfterSaleFacts, ...] = field(default_factory=tuple)


class Verdict(str, Enum):
    ELIGIBLE = "eligible"
    NOT_YET = "not_yet"
    NOT_APPLICABLE = "not_applicable"
    IN_PROGRESS = "in_progress"
    # kb/ has no rule for this platform or case: the bot says it does not know and offers a human.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Decision:
    """The eligibility engine's answer, with the rule that produced it."""

    verdict: Verdict
    rule_id: str  # the kb/ rule applied, e.g. "jd.negotiation_window"
    explanation: str  # Chinese, with concrete times, ready to show the buyer
    source: str  # where the rule comes from: a seed file and sentence, or a published rule
    eligible_from: datetime | None = None  # NOT_YET: when it becomes possible
    aftersale_id: str | None = None  # the service order the decision is about
    intervention_number: str | None = None  # IN_PROGRESS: the open intervention
    stage: str | None = None  # IN_PROGRESS: its status
    deadlines: tuple[tuple[str, datetime], ...] = ()  # (label, time) pairs worth telling the buyer
    alternatives: tuple[str, ...] = ()  # NOT_APPLICABLE/NOT_YET: what to do instead, in Chinese
