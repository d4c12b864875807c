"""The agent console's HTTP API and the app buyer's pending messages.

``router`` (prefix ``/api/agent``): every call needs ``Authorization: Bearer <token>``
with a token of role ``agent`` (``jieru token ALICE --role agent``); no token or a bad
one is 401, a buyer's token 403. Agents see hand-offs only, never other conversations.

- ``GET  /queue`` — open and taken hand-offs, oldest first, with summary and waiting time
- ``GET  /handoffs/{id}`` — one hand-off with its notes
- ``POST /handoffs/{id}/take`` — 409 with ``code: already_taken`` when another agent was first
- ``GET  /handoffs/{id}/assist`` — eligibility decision, click path, deadlines, kb/ replies
- ``GET  /handoffs/{id}/transcript`` — every message of buyer, bot and agents (from Rasa)
- ``POST /handoffs/{id}/reply`` ``{"text"}`` — to the buyer, kept in the tracker as the agent's
- ``POST /handoffs/{id}/notes`` ``{"text"}`` — internal note
- ``POST /handoffs/{id}/close``
- ``POST /handoffs/{id}/hand-back`` ``{"order_id", "problem", "note"}`` — the bot resumes

``buyer_router`` (prefix ``/api/buyer``), the app channel's way to receive what agents
write while the buyer is not sending anything:

- ``GET /messages?since=<timestamp>`` with the buyer's own app token: agents' replies and
  the bot's hand-back message after ``since`` (Rasa event timestamps, seconds); poll
  with the ``next`` value of the previous answer. The web widget gets the same messages
  live over socket.io instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from jieru.auth import AGENT, BUYER, AuthError, MissingSecretError, verify_token
from jieru.services import agents
from jieru.services.errors import (
    HandoffConflict,
    HandoffNotFound,
    RasaUnavailable,
    ServiceUnavailable,
)

router = APIRouter(prefix="/api/agent", tags=["agents"])
buyer_router = APIRouter(prefix="/api/buyer", tags=["buyers"])
_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

STATUS_NAMES = {
    "open": "等待接手",
    "taken": "处理中",
    "closed": "已关闭",
    "handed_back": "已交还机器人",
}


def _subject(credentials: HTTPAuthorizationCredentials | None, role: str) -> str:
    if credentials is None:
        raise HTTPException(
            401,
            {"code": "unauthorized", "message": "需要登录令牌"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return verify_token(credentials.credentials, role=role)
    except MissingSecretError as exc:
        raise HTTPException(503, {"code": "no_secret", "message": str(exc)}) from exc
    except AuthError as exc:
        if exc.reason == "wrong_role":
            raise HTTPException(
                403,
                {
                    "code": "forbidden",
                    "message": f"这里需要{'客服' if role == AGENT else '买家'}的令牌",
                },
            ) from exc
        raise HTTPException(
            401,
            {"code": "unauthorized", "reason": exc.reason, "message": "令牌无效或已过期"},
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc


def current_agent(credentials: Credentials) -> str:
    """The agent id of a valid agent token; 401/403 otherwise."""
    return _subject(credentials, AGENT)


def current_buyer(credentials: Credentials) -> str:
    """The buyer id of a valid app (buyer) token; 401/403 otherwise."""
    return _subject(credentials, BUYER)


Agent = Annotated[str, Depends(current_agent)]
Buyer = Annotated[str, Depends(current_buyer)]


def conflict_message(conflict: HandoffConflict, agent: str) -> str:
    """What the console tells an agent whose action lost or does not apply (Chinese)."""
    if conflict.status == "taken" and conflict.wanted == "taken":
        return (
            "你已经接手了这个会话"
            if conflict.taken_by == agent
            else f"这个会话已经被 {conflict.taken_by} 接手了"
        )
    if conflict.status in ("closed", "handed_back"):
        return f"这个会话已经结束（{STATUS_NAMES[conflict.status]}）"
    if conflict.status == "open":
        return "请先接手这个会话"
    return f"这个会话由 {conflict.taken_by} 处理，只有接手的客服可以操作"


def _run(agent: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call the service, turning its typed errors into HTTP answers."""
    try:
        return fn(*args, **kwargs)
    except HandoffNotFound as exc:
        raise HTTPException(404, {"code": "not_found", "message": "没有这个转人工记录"}) from exc
    except HandoffConflict as exc:
        code = "already_taken" if exc.wanted == "taken" and exc.status == "taken" else "conflict"
        raise HTTPException(
            409,
            {
                "code": code,
                "message": conflict_message(exc, agent),
                "status": exc.status,
                "taken_by": exc.taken_by,
            },
        ) from exc
    except RasaUnavailable as exc:
        raise HTTPException(
            502, {"code": "rasa_unavailable", "message": "机器人服务暂时连不上，请稍后再试"}
        ) from exc
    except ServiceUnavailable as exc:
        raise HTTPException(
            503, {"code": "database_unavailable", "message": "数据库暂时连不上，请稍后再试"}
        ) from exc
    except ValueError as exc:
        raise HTTPException(422, {"code": "invalid", "message": str(exc)}) from exc


class Text(BaseModel):
    text: str = Field(max_length=agents.MAX_TEXT * 2)


class HandBack(BaseModel):
    order_id: str | None = Field(default=None, max_length=20)
    problem: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=agents.MAX_TEXT * 2)


@router.get("/queue")
def queue(agent: Agent) -> dict[str, Any]:
    return {"handoffs": [h.as_dict() for h in _run(agent, agents.queue)]}


@router.get("/handoffs/{handoff_id}")
def handoff(handoff_id: int, agent: Agent) -> dict[str, Any]:
    return _run(agent, agents.get, handoff_id).as_dict()


@router.post("/handoffs/{handoff_id}/take")
def take(handoff_id: int, agent: Agent) -> dict[str, Any]:
    return _run(agent, agents.take, handoff_id, agent=agent).as_dict()


@router.get("/handoffs/{handoff_id}/assist")
def assist(handoff_id: int, agent: Agent) -> dict[str, Any]:
    return _run(agent, agents.assist, handoff_id)


@router.get("/handoffs/{handoff_id}/transcript")
def transcript(handoff_id: int, agent: Agent) -> dict[str, Any]:
    return {"lines": [line.as_dict() for line in _run(agent, agents.transcript, handoff_id)]}


@router.post("/handoffs/{handoff_id}/reply")
def reply(handoff_id: int, body: Text, agent: Agent) -> dict[str, Any]:
    _run(agent, agents.reply, handoff_id, agent=agent, text=body.text)
    return {"ok": True}


@router.post("/handoffs/{handoff_id}/notes")
def note(handoff_id: int, body: Text, agent: Agent) -> dict[str, Any]:
    return _run(agent, agents.add_note, handoff_id, agent=agent, text=body.text).as_dict()


@router.post("/handoffs/{handoff_id}/close")
def close(handoff_id: int, agent: Agent) -> dict[str, Any]:
    return _run(agent, agents.close, handoff_id, agent=agent).as_dict()


@router.post("/handoffs/{handoff_id}/hand-back")
def hand_back(handoff_id: int, body: HandBack, agent: Agent) -> dict[str, Any]:
    return _run(
        agent,
        agents.hand_back,
        handoff_id,
        agent=agent,
        order_id=body.order_id or None,
        problem=body.problem or None,
        note=body.note or None,
    ).as_dict()


@buyer_router.get("/messages")
def buyer_messages(buyer: Buyer, since: Annotated[float, Query(ge=0)] = 0.0) -> dict[str, Any]:
    messages = _run(buyer, agents.pending_messages, buyer, since=since)
    return {"messages": messages, "next": messages[-1]["timestamp"] if messages else since}
