"""Whole conversations as buyers type them (issue 13, tests/e2e/typed/conversations.yml):
no button payloads, the authenticated app channel, the running Rasa and action servers
on the demo orders (scripts/test.sh stage 7). Each conversation starts from a freshly
imported demo database and an empty tracker.

Every conversation must be safe: answered at every turn, and the database afterwards
holds nothing the buyer did not ask for or did not give. Whether it also ended where
the buyer wanted (the right intervention with their description and evidence, the
answer, the time; no fallback, no unasked human) is containment, gated against the
figure recorded in bench/containment.yml. A failure prints the whole transcript."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import yaml

from jieru.config import PROJECT_ROOT
from tests.e2e.typed.runner import GOALS, Conversation, Result, Runner, load_suite

CONVERSATIONS = load_suite()


@pytest.fixture(scope="module")
def runner():
    rasa_url = os.environ.get("JIERU_RASA_URL")
    database_url = os.environ.get("DATABASE_URL", "")
    if not rasa_url:
        pytest.skip("JIERU_RASA_URL not set: run through scripts/test.sh")
    if not database_url.startswith("sqlite:///"):
        pytest.skip("the typed suite restores the servers' SQLite database: DATABASE_URL")
    with Runner(rasa_url, database_url, rasa_token=os.environ.get("RASA_AUTH_TOKEN")) as r:
        yield r


# Findings that make a conversation unsafe whatever the NLU made of the words: an error
# or no answer, a filing the buyer did not ask for, on another order, or of words they
# did not give. Every conversation must be free of them.
UNSAFE = ("HTTP", "no reply", "though nothing should be", "on another order", "did not give")
RECORDED = PROJECT_ROOT / "bench" / "containment.yml"
# The containment may fall this far below the recorded figure (one conversation in 72 is
# 1.4 points) before the gate fails.
MAX_DROP = 0.05
RESULTS: dict[str, Result] = {}


@pytest.mark.servers
@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=lambda c: c.id)
def test_typed_conversation_is_safe(runner: Runner, conversation: Conversation) -> None:
    result = runner.run(conversation)
    RESULTS[conversation.id] = result
    unsafe = [f for f in result.failures if any(mark in f for mark in UNSAFE)]
    assert unsafe == [], result.explain()


@pytest.mark.servers
def test_containment_has_not_regressed(runner: Runner) -> None:
    """The share of conversations that end where the buyer wanted, with no fallback and
    no unasked human (bench/containment.py's figure), is at least the recorded one
    (bench/containment.yml) less MAX_DROP; the ones that do not are printed."""
    assert len(RESULTS) == len(CONVERSATIONS), "run with the per-conversation tests"
    contained = sum(r.contained for r in RESULTS.values()) / len(RESULTS)
    recorded = yaml.safe_load(RECORDED.read_text("utf-8"))["contained"]
    missed = "\n\n".join(r.explain() for r in RESULTS.values() if not r.contained)
    assert contained >= recorded - MAX_DROP, f"{contained:.3f} < {recorded} - {MAX_DROP}\n{missed}"


def test_the_suite_is_typed_text_only_and_covers_every_goal() -> None:
    assert len(CONVERSATIONS) >= 45
    payloads = [t.text for c in CONVERSATIONS for t in c.turns if t.text.lstrip().startswith("/")]
    assert payloads == []
    goals = Counter(c.goal for c in CONVERSATIONS)
    assert set(goals) == set(GOALS), goals
    # A filing is checked against what the buyer gave it.
    for c in CONVERSATIONS:
        if c.filed is not None:
            gave = {g for t in c.turns for g in t.gives}
            assert {"description", "evidence"} <= gave, c.id
            assert c.filed.evidence is not None, c.id
