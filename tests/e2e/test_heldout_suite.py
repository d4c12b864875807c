"""bench/typed-heldout*.yml (typed-heldout.yml, -2, -3, ...), the typed conversations
written blind (each by an independent tester) for measuring the bot
(bench/containment.py --suite): each well formed and fair before it is ever played.

Checked without servers: enough conversations, typed text only (no button payloads),
every buyer and every filed or complained-about order real and that buyer's own, and no
message a near-duplicate of a row of the real buyers' dev set (the same 4-gram test as
the training data, tests/nlu/test_not_trained_on_dev.py).
"""

from __future__ import annotations

import json

import pytest

from jieru.config import PROJECT_ROOT
from tests.e2e.typed.runner import DEMO_ORDERS, load_suite
from tests.nlu.test_not_trained_on_dev import dev_rows, near_duplicates  # noqa: F401

SUITES = sorted((PROJECT_ROOT / "bench").glob("typed-heldout*.yml"))
MIN_CONVERSATIONS = 48  # in each file
KNOWN_SUITES = {
    "typed-heldout.yml",
    "typed-heldout-2.yml",
    "typed-heldout-3.yml",
    "typed-heldout-4.yml",
    "typed-heldout-5.yml",
    "typed-heldout-6.yml",
}


@pytest.fixture(scope="module", params=SUITES, ids=[p.name for p in SUITES])
def suite(request):
    return load_suite(request.param)


@pytest.fixture(scope="module")
def owners() -> dict[str, str]:
    demo = json.loads(DEMO_ORDERS.read_text(encoding="utf-8"))
    return {o["id"]: o["buyer_id"] for o in demo["orders"]}


def test_the_glob_finds_every_known_suite() -> None:
    assert KNOWN_SUITES <= {p.name for p in SUITES}


def test_enough_conversations(suite) -> None:
    assert len(suite) >= MIN_CONVERSATIONS


def test_every_message_is_typed_text(suite) -> None:
    payloads = [(c.id, t.text) for c in suite for t in c.turns if t.text.lstrip().startswith("/")]
    assert payloads == []


def test_buyers_and_orders_are_real_and_their_own(suite, owners) -> None:
    buyers = set(owners.values())
    assert [c.id for c in suite if c.buyer not in buyers] == []
    orders = [(c, c.filed.order) for c in suite if c.filed] + [
        (c, c.complaint) for c in suite if c.complaint
    ]
    assert [(c.id, o) for c, o in orders if owners.get(o) != c.buyer] == []


def test_no_message_is_a_near_duplicate_of_a_dev_row(suite, dev_rows) -> None:  # noqa: F811
    texts = [t.text for c in suite for t in c.turns]
    assert near_duplicates(texts, dev_rows) == []
