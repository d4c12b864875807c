"""Hand-offs in the database: the state machine, the atomic take (two agents racing on
SQLite and on PostgreSQL), notes, the queue order, and the schema migration 0002."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from jieru.db import repository as repo
from jieru.db.migrate import downgrade, upgrade
from jieru.db.models import AuditLog, Handoff
from jieru.rules.transitions import InvalidTransition, allowed_transitions, is_final

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUEUED = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


def _queue(session_factory, conversation_id="conv-1", at=QUEUED, **details) -> int:
    with session_factory.begin() as s:
        return repo.create_handoff(
            s,
            conversation_id=conversation_id,
            buyer_id="b1",
            reason="request_human",
            summary="问题：卖家拒绝退款",
            actor="bot",
            created_at=at,
            details=details,
        ).id


def _row(session_factory, handoff_id) -> Handoff:
    with session_factory() as s:
        return s.get(Handoff, handoff_id)


def test_handoff_state_machine_is_data():
    assert allowed_transitions("handoff", "open") == {"taken", "closed"}
    assert allowed_transitions("handoff", "taken") == {"closed", "handed_back"}
    assert is_final("handoff", "closed") and is_final("handoff", "handed_back")


def test_take_then_hand_back_stamps_times_and_audits(session_factory):
    handoff_id = _queue(session_factory, order={"id": "250312345678"})
    taken_at, back_at = QUEUED + timedelta(minutes=3), QUEUED + timedelta(minutes=9)
    with session_factory.begin() as s:
        row = repo.move_handoff(
            s, handoff_id=handoff_id, status="taken", agent="alice", at=taken_at
        )
        assert (row.status, row.taken_by, row.taken_at) == ("taken", "alice", taken_at)
    with session_factory.begin() as s:
        repo.move_handoff(s, handoff_id=handoff_id, status="handed_back", agent="alice", at=back_at)
    row = _row(session_factory, handoff_id)
    assert (row.status, row.taken_by, row.closed_at, row.updated_at) == (
        "handed_back",
        "alice",
        back_at,
        back_at,
    )
    assert row.details == {"order": {"id": "250312345678"}}
    with session_factory() as s:
        trail = s.execute(
            select(AuditLog.actor, AuditLog.action, AuditLog.detail).order_by(AuditLog.id)
        ).all()
    assert trail == [
        ("bot", "create_handoff", {"conversation_id": "conv-1", "reason": "request_human"}),
        ("agent:alice", "move_handoff", {"to": "taken"}),
        ("agent:alice", "move_handoff", {"to": "handed_back"}),
    ]


def test_second_take_gets_a_conflict_naming_the_holder(session_factory):
    handoff_id = _queue(session_factory)
    with session_factory.begin() as s:
        repo.move_handoff(s, handoff_id=handoff_id, status="taken", agent="alice", at=QUEUED)
    with session_factory.begin() as s, pytest.raises(repo.HandoffConflict) as caught:
        repo.move_handoff(s, handoff_id=handoff_id, status="taken", agent="bob", at=QUEUED)
    assert (caught.value.status, caught.value.taken_by, caught.value.wanted) == (
        "taken",
        "alice",
        "taken",
    )
    assert "taken by alice" in str(caught.value)
    assert _row(session_factory, handoff_id).taken_by == "alice"


def test_only_the_holder_closes_or_hands_back(session_factory):
    handoff_id = _queue(session_factory)
    with session_factory.begin() as s:
        repo.move_handoff(s, handoff_id=handoff_id, status="taken", agent="alice", at=QUEUED)
    for status in ("closed", "handed_back"):
        with session_factory.begin() as s, pytest.raises(repo.HandoffConflict):
            repo.move_handoff(s, handoff_id=handoff_id, status=status, agent="bob", at=QUEUED)
    assert _row(session_factory, handoff_id).status == "taken"


def test_an_open_handoff_may_be_closed_but_not_handed_back(session_factory):
    first, second = _queue(session_factory, "c1"), _queue(session_factory, "c2")
    with session_factory.begin() as s, pytest.raises(repo.HandoffConflict):
        repo.move_handoff(s, handoff_id=first, status="handed_back", agent="alice", at=QUEUED)
    with session_factory.begin() as s:
        repo.move_handoff(s, handoff_id=second, status="closed", agent="alice", at=QUEUED)
    assert (_row(session_factory, first).status, _row(session_factory, second).status) == (
        "open",
        "closed",
    )
    with session_factory.begin() as s, pytest.raises(repo.HandoffConflict):
        repo.move_handoff(s, handoff_id=second, status="taken", agent="alice", at=QUEUED)


def test_unknown_status_and_unknown_handoff_are_refused(session_factory):
    handoff_id = _queue(session_factory)
    with session_factory.begin() as s, pytest.raises(InvalidTransition):
        repo.move_handoff(s, handoff_id=handoff_id, status="resolved", agent="alice", at=QUEUED)
    with session_factory.begin() as s, pytest.raises(repo.NotFound):
        repo.move_handoff(s, handoff_id=handoff_id + 100, status="taken", agent="alice", at=QUEUED)


@pytest.mark.parametrize("agents", [2, 6])
def test_concurrent_takes_have_exactly_one_winner(session_factory, agents):
    """Every agent opens its own session and transaction at the same moment; the winner
    holds its transaction open a while after its UPDATE so the others really wait on it."""
    handoff_id = _queue(session_factory)
    barrier = threading.Barrier(agents)
    won: list[str] = []
    lost: list[repo.HandoffConflict] = []
    failed: list[BaseException] = []

    def take(agent: str) -> None:
        try:
            barrier.wait()
            with session_factory.begin() as s:
                repo.move_handoff(s, handoff_id=handoff_id, status="taken", agent=agent, at=QUEUED)
                time.sleep(0.3)
            won.append(agent)
        except repo.HandoffConflict as exc:
            lost.append(exc)
        except BaseException as exc:  # surfaced below, with the thread's own traceback
            failed.append(exc)

    threads = [threading.Thread(target=take, args=(f"agent{i}",)) for i in range(agents)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failed, failed
    assert len(won) == 1 and len(lost) == agents - 1
    assert {exc.taken_by for exc in lost} == set(won)
    row = _row(session_factory, handoff_id)
    assert (row.status, row.taken_by) == ("taken", won[0])
    with session_factory() as s:
        takes = s.scalars(select(AuditLog).where(AuditLog.action == "move_handoff")).all()
    assert [a.actor for a in takes] == [f"agent:{won[0]}"]


def test_queue_is_oldest_first_and_counts_who_is_ahead(session_factory):
    late = _queue(session_factory, "late", QUEUED + timedelta(minutes=5))
    early = _queue(session_factory, "early", QUEUED)
    same_time = _queue(session_factory, "same", QUEUED + timedelta(minutes=5))
    with session_factory.begin() as s:
        repo.move_handoff(s, handoff_id=early, status="taken", agent="alice", at=QUEUED)
    with session_factory() as s:
        assert [h.id for h in repo.list_handoffs(s, statuses=["open", "taken"])] == [
            early,
            late,
            same_time,
        ]
        assert [h.id for h in repo.list_handoffs(s, statuses=["open"])] == [late, same_time]
        ahead = {h: repo.count_open_before(s, handoff=s.get(Handoff, h)) for h in (late, same_time)}
        assert ahead == {late: 0, same_time: 1}
        assert repo.latest_handoff(s, conversation_id="late").id == late
        assert repo.latest_handoff(s, conversation_id="nobody") is None


def test_notes_are_kept_in_order_and_audited(session_factory):
    handoff_id = _queue(session_factory)
    with session_factory.begin() as s:
        repo.add_handoff_note(
            s, handoff_id=handoff_id, author="alice", text="买家已提供聊天记录", at=QUEUED
        )
        repo.add_handoff_note(s, handoff_id=handoff_id, author="bob", text="等商家回复", at=QUEUED)
    with session_factory() as s:
        row = repo.get_handoff(s, handoff_id=handoff_id)
        assert [(n.author, n.text) for n in row.notes] == [
            ("alice", "买家已提供聊天记录"),
            ("bob", "等商家回复"),
        ]
        assert s.scalars(
            select(AuditLog.actor).where(AuditLog.action == "add_handoff_note")
        ).all() == ["agent:alice", "agent:bob"]
    with session_factory.begin() as s, pytest.raises(repo.NotFound):
        repo.add_handoff_note(s, handoff_id=handoff_id + 1, author="alice", text="x", at=QUEUED)


def test_migration_0002_keeps_old_rows_and_the_status_check(engine, db_url):
    upgrade("0001", url=db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO handoffs (conversation_id, buyer_id, reason, summary, created_at, status) "
                "VALUES ('old', NULL, 'request_human', '旧的', :at, 'taken')"
            ),
            {"at": QUEUED},
        )
    upgrade(url=db_url)
    with engine.begin() as conn:
        row = conn.execute(text("SELECT status, details, updated_at, taken_by FROM handoffs")).one()
        assert (row.status, row.taken_by) == ("taken", None) and row.updated_at is not None
        assert row.details in ("{}", {})
        conn.execute(text("UPDATE handoffs SET status = 'handed_back'"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE handoffs SET status = 'resolved'"))
    assert "handoff_notes" in inspect(engine).get_table_names()
    downgrade("0001", url=db_url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT status FROM handoffs")).scalar_one() == "closed"
    assert "handoff_notes" not in inspect(engine).get_table_names()
