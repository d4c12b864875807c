"""The pure state machine for service-order and intervention statuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jieru.rules.transitions import (
    AFTERSALE_STATUSES,
    INTERVENTION_STATUSES,
    OPEN_INTERVENTION_STATUSES,
    TRANSITIONS,
    InvalidTransition,
    allowed_transitions,
    check_transition,
    is_final,
)

from .factories import ORDERS_SCHEMA


def test_statuses_are_exactly_the_schema_values():
    defs = json.loads(ORDERS_SCHEMA.read_text(encoding="utf-8"))["$defs"]
    assert set(AFTERSALE_STATUSES) == set(defs["aftersale"]["properties"]["status"]["enum"])
    assert set(INTERVENTION_STATUSES) == set(defs["intervention"]["properties"]["status"]["enum"])


@pytest.mark.parametrize("kind", sorted(TRANSITIONS))
def test_every_target_is_a_known_status_and_never_itself(kind):
    for current, targets in TRANSITIONS[kind].items():
        assert targets <= set(TRANSITIONS[kind]), current
        assert current not in targets


@pytest.mark.parametrize(
    ("kind", "current", "new"),
    [
        ("aftersale", "requested", "merchant_rejected"),
        ("aftersale", "requested", "merchant_agreed"),
        ("aftersale", "requested", "cancelled"),
        ("aftersale", "merchant_rejected", "requested"),  # buyer modifies the request
        ("aftersale", "merchant_agreed", "buyer_shipped"),
        ("aftersale", "buyer_shipped", "merchant_received"),
        ("aftersale", "merchant_received", "reshipped"),
        ("aftersale", "merchant_received", "merchant_rejected"),
        ("intervention", "submitted", "evidence"),
        ("intervention", "evidence", "review"),
        ("intervention", "review", "decided"),
        ("intervention", "review", "evidence"),
    ],
)
def test_allowed_moves_pass(kind, current, new):
    check_transition(kind, current, new)


@pytest.mark.parametrize(
    ("kind", "current", "new"),
    [
        ("aftersale", "refunded", "requested"),
        ("aftersale", "cancelled", "merchant_agreed"),
        ("aftersale", "requested", "buyer_shipped"),  # nothing to ship before the seller agrees
        ("aftersale", "requested", "requested"),
        ("intervention", "decided", "review"),
        ("intervention", "withdrawn", "submitted"),
        ("intervention", "submitted", "decided"),  # no decision without a review
    ],
)
def test_forbidden_moves_raise_with_kind_from_and_to(kind, current, new):
    with pytest.raises(InvalidTransition) as caught:
        check_transition(kind, current, new)
    message = str(caught.value)
    assert kind in message and repr(current) in message and repr(new) in message
    assert (caught.value.kind, caught.value.current, caught.value.new) == (kind, current, new)


@pytest.mark.parametrize("status", sorted(OPEN_INTERVENTION_STATUSES))
def test_any_open_intervention_can_be_withdrawn(status):
    check_transition("intervention", status, "withdrawn")


def test_final_statuses():
    assert {s for s in AFTERSALE_STATUSES if is_final("aftersale", s)} == {
        "refunded",
        "closed",
        "cancelled",
    }
    assert {s for s in INTERVENTION_STATUSES if is_final("intervention", s)} == {
        "decided",
        "withdrawn",
    }
    assert not is_final("aftersale", "no_such_status")
    assert "is final" in str(InvalidTransition("intervention", "decided", "review"))


def test_unknown_statuses_and_kinds():
    with pytest.raises(InvalidTransition, match="known aftersale statuses"):
        check_transition("aftersale", "requested", "teleported")
    with pytest.raises(InvalidTransition):
        check_transition("aftersale", "teleported", "requested")
    with pytest.raises(ValueError, match="unknown status kind"):
        check_transition("order", "shipped", "delivered")


def test_table_is_plain_data():
    with pytest.raises(TypeError):
        TRANSITIONS["aftersale"]["refunded"] = frozenset({"requested"})  # type: ignore[index]
    json.dumps({k: {s: sorted(t) for s, t in v.items()} for k, v in TRANSITIONS.items()})


kinds = st.sampled_from(sorted(TRANSITIONS))


@given(kind=kinds, data=st.data())
def test_check_agrees_with_the_table(kind, data):
    statuses = sorted(TRANSITIONS[kind])
    current = data.draw(st.sampled_from(statuses))
    new = data.draw(st.sampled_from(statuses))
    if new in allowed_transitions(kind, current):
        check_transition(kind, current, new)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(kind, current, new)
