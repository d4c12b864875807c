"""The agent API through FastAPI's TestClient, on SQLite and PostgreSQL, with the fake
Rasa API: roles, the queue, the race for a take, the conversation both ways, hand back,
and the app buyer's pending messages."""

from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jieru.auth import make_token
from jieru.services.handoff import hand_off
from jieru.web.agents import buyer_router, router
from tests.services.agents_fixtures import BUYER, ORDER

SECRET = "test-secret-for-agents-0123456789abcdef"


@pytest.fixture
def client(agents_db, monkeypatch):
    monkeypatch.setenv("JIERU_APP_JWT_SECRET", SECRET)
    app = FastAPI()
    app.include_router(router)
    app.include_router(buyer_router)
    return TestClient(app)


def auth(subject: str, role: str = "agent") -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(subject, role=role, secret=SECRET)}"}


ALICE, BOB = auth("alice"), auth("bob")  # signed with SECRET, which the client fixture configures


def _queue(conversation_id: str = BUYER, **kwargs) -> int:
    return hand_off(
        conversation_id=conversation_id,
        buyer_id=BUYER,
        reason="request_human",
        summary="问题：卖家拒绝退款",
        **kwargs,
    )


def test_buyer_tokens_are_refused_and_missing_or_bad_tokens_are_401(client):
    assert client.get("/api/agent/queue", headers=auth(BUYER, "buyer")).status_code == 403
    assert client.get("/api/agent/queue").status_code == 401
    bad = client.get("/api/agent/queue", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401 and bad.json()["detail"]["reason"] == "malformed"
    assert client.get("/api/buyer/messages", headers=ALICE).status_code == 403


def test_queue_lists_handoffs_oldest_first_with_summary_and_wait(client):
    first, second = _queue("c1", order_id=ORDER, problem="report_refund_refused"), _queue("c2")
    answer = client.get("/api/agent/queue", headers=ALICE)
    assert answer.status_code == 200
    listed = answer.json()["handoffs"]
    assert [h["id"] for h in listed] == [first, second]
    assert listed[0]["summary"] == "问题：卖家拒绝退款" and listed[0]["waiting_seconds"] == 0
    assert (
        listed[0]["details"]["order"]["id"] == ORDER and listed[0]["details"]["eligibility"]["rule"]
    )
    assist = client.get(f"/api/agent/handoffs/{first}/assist", headers=ALICE).json()
    assert assist["decision"] == listed[0]["details"]["eligibility"] and assist["replies"]
    assert (
        client.get(f"/api/agent/handoffs/{first}/assist", headers=auth(BUYER, "buyer")).status_code
        == 403
    )


def test_two_agents_racing_one_gets_a_clear_409(client):
    handoff_id = _queue()
    barrier, answers = threading.Barrier(2), {}

    def take(name, headers):
        barrier.wait()
        answers[name] = client.post(f"/api/agent/handoffs/{handoff_id}/take", headers=headers)

    threads = [threading.Thread(target=take, args=a) for a in (("alice", ALICE), ("bob", BOB))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 409]
    winner = next(n for n, a in answers.items() if a.status_code == 200)
    loser = next(a for a in answers.values() if a.status_code == 409).json()["detail"]
    assert loser == {
        "code": "already_taken",
        "message": f"这个会话已经被 {winner} 接手了",
        "status": "taken",
        "taken_by": winner,
    }


def test_a_conversation_both_ways_then_hand_back(client, fake_rasa):
    handoff_id = _queue()
    fake_rasa.say(BUYER, "user", "我要人工")
    assert client.post(
        f"/api/agent/handoffs/{handoff_id}/reply", headers=ALICE, json={"text": "您好"}
    ).json()["detail"] == {
        "code": "conflict",
        "message": "请先接手这个会话",
        "status": "open",
        "taken_by": None,
    }
    assert (
        client.post(f"/api/agent/handoffs/{handoff_id}/take", headers=ALICE).json()["taken_by"]
        == "alice"
    )
    assert client.post(
        f"/api/agent/handoffs/{handoff_id}/reply",
        headers=ALICE,
        json={"text": "您好，请问订单号？"},
    ).json() == {"ok": True}
    assert client.post(
        f"/api/agent/handoffs/{handoff_id}/reply", headers=BOB, json={"text": "x"}
    ).json()["detail"]["message"] == ("这个会话由 alice 处理，只有接手的客服可以操作")
    fake_rasa.say(BUYER, "user", ORDER)
    note = client.post(
        f"/api/agent/handoffs/{handoff_id}/notes", headers=BOB, json={"text": "老客户"}
    )
    assert [n["author"] for n in note.json()["notes"]] == ["bob"]
    lines = client.get(f"/api/agent/handoffs/{handoff_id}/transcript", headers=ALICE).json()[
        "lines"
    ]
    assert [(line["who"], line["text"]) for line in lines] == [
        ("buyer", "我要人工"),
        ("agent", "您好，请问订单号？"),
        ("buyer", ORDER),
    ]

    pending = client.get("/api/buyer/messages", headers=auth(BUYER, "buyer")).json()
    assert [(m["text"], m["agent"]) for m in pending["messages"]] == [
        ("您好，请问订单号？", "alice")
    ]

    back = client.post(
        f"/api/agent/handoffs/{handoff_id}/hand-back",
        headers=ALICE,
        json={"order_id": ORDER, "problem": "report_refund_refused", "note": ""},
    )
    assert back.status_code == 200 and back.json()["status"] == "handed_back"
    assert fake_rasa.tracker(BUYER)["paused"] is False
    assert fake_rasa.tracker(BUYER)["slots"] == {
        "order_id": ORDER,
        "problem": "report_refund_refused",
    }
    later = client.get(
        "/api/buyer/messages", headers=auth(BUYER, "buyer"), params={"since": pending["next"]}
    ).json()
    assert [m["text"].splitlines()[0] for m in later["messages"]] == [
        "人工客服已为您处理完毕，接下来由我继续为您服务。"
    ]
    again = client.post(f"/api/agent/handoffs/{handoff_id}/close", headers=ALICE)
    assert (
        again.status_code == 409
        and again.json()["detail"]["message"] == "这个会话已经结束（已交还机器人）"
    )


def test_bad_input_gets_clear_answers(client, fake_rasa):
    handoff_id = _queue()
    assert (
        client.post(f"/api/agent/handoffs/{handoff_id + 9}/take", headers=ALICE).status_code == 404
    )
    assert client.get("/api/agent/handoffs/not-a-number", headers=ALICE).status_code == 422
    client.post(f"/api/agent/handoffs/{handoff_id}/take", headers=ALICE)
    for body in ({"text": ""}, {"text": "长" * 5000}, {}):
        assert (
            client.post(
                f"/api/agent/handoffs/{handoff_id}/reply", headers=ALICE, json=body
            ).status_code
            == 422
        )
    unknown = client.post(
        f"/api/agent/handoffs/{handoff_id}/hand-back",
        headers=ALICE,
        json={"problem": "'; DROP TABLE handoffs;--"},
    )
    assert unknown.status_code == 422 and "unknown problem" in unknown.json()["detail"]["message"]
    fake_rasa.fail_with = 500
    down = client.post(
        f"/api/agent/handoffs/{handoff_id}/reply", headers=ALICE, json={"text": "在吗"}
    )
    assert down.status_code == 502 and down.json()["detail"]["code"] == "rasa_unavailable"
    assert (
        client.get(f"/api/agent/handoffs/{handoff_id}", headers=ALICE).json()["status"] == "taken"
    )
