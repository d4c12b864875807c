"""jieru.auth: tokens the app channel accepts, and every kind it must refuse."""

from __future__ import annotations

from datetime import datetime, timezone

import jwt
import pytest

from jieru.auth import AuthError, MissingSecretError, bearer_token, make_token, verify_token

from .tokens import OTHER_SECRET, REFUSED, SECRET, in_minutes, signed


@pytest.mark.parametrize(
    "buyer", ["b1001", "买家-張三", "🙂shopper", "x" * 64, "tb_8841'; DROP TABLE orders;--"]
)
def test_token_round_trips_the_buyer(buyer: str) -> None:
    assert verify_token(make_token(buyer, minutes=5)) == buyer


def test_token_carries_sub_iat_exp_and_expires_as_asked() -> None:
    issued = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
    claims = jwt.decode(
        make_token("b1001", minutes=5, now=issued),
        SECRET,
        algorithms=["HS256"],
        options={"verify_exp": False},
    )
    assert claims == {
        "sub": "b1001",
        "iat": int(issued.timestamp()),
        "exp": int(issued.timestamp()) + 300,
    }
    assert jwt.get_unverified_header(make_token("b1001"))["alg"] == "HS256"


def test_explicit_secret_wins_over_the_environment() -> None:
    token = make_token("b1001", secret=OTHER_SECRET)
    assert verify_token(token, secret=OTHER_SECRET) == "b1001"
    with pytest.raises(AuthError) as refused:
        verify_token(token)
    assert refused.value.reason == "bad_signature"


def test_no_secret_configured_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIERU_APP_JWT_SECRET")
    with pytest.raises(MissingSecretError, match="JIERU_APP_JWT_SECRET"):
        make_token("b1001")
    with pytest.raises(MissingSecretError, match="JIERU_APP_JWT_SECRET"):
        verify_token(signed({"sub": "b1001", "exp": in_minutes(5)}))


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        *(pytest.param(token, reason, id=name) for name, token, reason in REFUSED),
        pytest.param(signed({"sub": "", "exp": in_minutes(5)}), "bad_subject", id="empty-sub"),
        pytest.param(signed({"sub": "   ", "exp": in_minutes(5)}), "bad_subject", id="blank-sub"),
        pytest.param(signed({"sub": "b" * 65, "exp": in_minutes(5)}), "bad_subject", id="long-sub"),
        pytest.param(signed({"sub": 1001, "exp": in_minutes(5)}), "bad_subject", id="numeric-sub"),
        pytest.param(
            signed({"sub": "b1001", "exp": in_minutes(60), "iat": in_minutes(30)}),
            "not_yet_valid",
            id="issued-in-future",
        ),
        pytest.param("not-a-jwt", "malformed", id="no-dots"),
        pytest.param("", "malformed", id="empty"),
        pytest.param("a.b.c", "malformed", id="three-junk-parts"),
    ],
)
def test_bad_tokens_are_refused_with_a_reason(token: str, reason: str) -> None:
    with pytest.raises(AuthError) as refused:
        verify_token(token)
    assert refused.value.reason == reason


def test_small_clock_skew_is_tolerated() -> None:
    token = signed({"sub": "b1001", "exp": in_minutes(-0.2), "iat": in_minutes(-5)})
    assert verify_token(token) == "b1001"


@pytest.mark.parametrize("buyer", ["", "  ", "b" * 65])
def test_make_token_refuses_an_impossible_buyer(buyer: str) -> None:
    with pytest.raises(ValueError, match="buyer id"):
        make_token(buyer)


def test_make_token_refuses_a_non_positive_lifetime() -> None:
    with pytest.raises(ValueError, match="minutes"):
        make_token("b1001", minutes=0)


def test_auth_error_reason_is_readable() -> None:
    error = AuthError("expired", "Signature has expired")
    assert (error.reason, str(error)) == ("expired", "expired: Signature has expired")


def test_agent_tokens_carry_the_role_and_each_side_refuses_the_other() -> None:
    agent = make_token("alice", role="agent")
    assert jwt.decode(agent, SECRET, algorithms=["HS256"])["role"] == "agent"
    assert verify_token(agent, role="agent") == "alice"
    with pytest.raises(AuthError) as as_buyer:
        verify_token(agent)
    assert as_buyer.value.reason == "wrong_role"
    with pytest.raises(AuthError) as as_agent:
        verify_token(make_token("b1001"), role="agent")
    assert as_agent.value.reason == "wrong_role"
    with pytest.raises(ValueError):
        make_token("alice", role="admin")


@pytest.mark.parametrize(
    ("header", "token", "reason"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi", None),
        ("bearer abc.def.ghi", "abc.def.ghi", None),
        (None, None, "missing_token"),
        ("   ", None, "missing_token"),
        ("Basic YjEwMDE6cGFzc3dvcmQ=", None, "not_bearer"),
        ("Bearer", None, "not_bearer"),
        ("Bearer a b", None, "not_bearer"),
    ],
)
def test_bearer_token_reads_the_authorization_header(
    header: str | None, token: str | None, reason: str | None
) -> None:
    if reason is None:
        assert bearer_token(header) == token
    else:
        with pytest.raises(AuthError) as refused:
            bearer_token(header)
        assert refused.value.reason == reason
