"""Properties of the engine over generated orders: monotone in time, deterministic, zone-free."""

from __future__ import annotations

from datetime import timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from jieru.db.models import AFTERSALE_TYPES, GOODS_TYPES, ORDER_STATUSES, PAYMENT_METHODS
from jieru.rules.eligibility import evaluate, select_aftersale
from jieru.rules.facts import (
    AFTERSALE_STEP_TIMES,
    OPEN_INTERVENTION_STATUSES,
    AfterSaleFacts,
    InterventionFacts,
    OrderFacts,
    Verdict,
)
from jieru.rules.transitions import AFTERSALE_STATUSES, INTERVENTION_STATUSES

from .factories import AS_OF, PLATFORMS, make_order

TIME_FIELDS = (*AFTERSALE_STEP_TIMES, "dispute_opened_at")
# Offsets from AS_OF, in minutes, within two weeks either side.
offsets = st.integers(min_value=-14 * 24 * 60, max_value=14 * 24 * 60).map(
    lambda m: AS_OF + timedelta(minutes=m)
)


@st.composite
def interventions(draw) -> InterventionFacts:
    return InterventionFacts(
        number=draw(st.sampled_from(["JR1", "JR2"])),
        status=draw(st.sampled_from(INTERVENTION_STATUSES)),
        opened_at=draw(offsets),
        evidence_due_at=draw(st.none() | offsets),
    )


@st.composite
def aftersales(draw) -> AfterSaleFacts:
    times = {name: draw(st.none() | offsets) for name in TIME_FIELDS}
    return AfterSaleFacts(
        id=draw(st.sampled_from(["AS-1", "AS-2", "AS-3"])),
        type=draw(st.sampled_from(AFTERSALE_TYPES)),
        status=draw(st.sampled_from(AFTERSALE_STATUSES)),
        requested_at=draw(offsets),
        interventions=tuple(draw(st.lists(interventions(), max_size=2))),
        **times,
    )


@st.composite
def orders(draw) -> OrderFacts:
    services = draw(st.lists(aftersales(), max_size=3, unique_by=lambda a: a.id))
    return make_order(
        draw(st.sampled_from(PLATFORMS)),
        *services,
        self_operated=draw(st.booleans()),
        goods_type=draw(st.sampled_from(GOODS_TYPES)),
        payment_method=draw(st.sampled_from(PAYMENT_METHODS)),
        status=draw(st.sampled_from(ORDER_STATUSES)),
        paid_at=draw(st.none() | offsets),
    )


later = st.integers(min_value=1, max_value=30 * 24 * 60).map(lambda m: timedelta(minutes=m))


def decide(policies, order, now):
    return evaluate(order, now=now, policy=policies[order.platform])


@settings(max_examples=120, deadline=None)
@given(order=orders(), now=offsets, step=later)
def test_eligible_stays_eligible_as_time_passes(policies, order, now, step) -> None:
    first = decide(policies, order, now)
    if first.verdict is Verdict.ELIGIBLE:
        assert decide(policies, order, now + step).verdict is Verdict.ELIGIBLE


@settings(max_examples=120, deadline=None)
@given(order=orders(), now=offsets)
def test_not_yet_opens_exactly_at_eligible_from(policies, order, now) -> None:
    decision = decide(policies, order, now)
    if decision.verdict is Verdict.NOT_YET:
        assert decision.eligible_from > now
        assert decide(policies, order, decision.eligible_from).verdict is Verdict.ELIGIBLE
    else:
        assert decision.eligible_from is None


@settings(max_examples=100, deadline=None)
@given(order=orders(), now=offsets)
def test_deterministic_and_independent_of_the_time_zone_of_now(policies, order, now) -> None:
    decision = decide(policies, order, now)
    assert decide(policies, order, now) == decision
    assert decide(policies, order, now.astimezone(timezone.utc)) == decision
    assert decide(policies, order, now.astimezone(timezone(timedelta(hours=-7)))) == decision


@settings(max_examples=120, deadline=None)
@given(order=orders(), now=offsets)
def test_an_open_intervention_is_always_in_progress(policies, order, now) -> None:
    decision = decide(policies, order, now)
    chosen = select_aftersale(order, policies[order.platform])
    is_open = chosen is not None and chosen.open_intervention is not None
    assert (decision.verdict is Verdict.IN_PROGRESS) == is_open
    if is_open:
        assert decision.intervention_number and decision.stage in OPEN_INTERVENTION_STATUSES


@settings(max_examples=120, deadline=None)
@given(order=orders(), now=offsets)
def test_every_decision_is_explained_and_sourced(policies, order, now) -> None:
    decision = decide(policies, order, now)
    assert decision.rule_id.startswith(f"{order.platform}.")
    assert decision.source and decision.explanation
    assert "{" not in decision.explanation and "}" not in decision.explanation
    if decision.verdict in (Verdict.NOT_APPLICABLE, Verdict.UNKNOWN):
        assert decision.alternatives
