"""Tokens for the channel tests: real ones from PyJWT and hand-made bad ones."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import jwt

SECRET = "test-secret-" + "s" * 52  # 64 bytes: long enough even for HS512
OTHER_SECRET = "other-secret-" + "o" * 51


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def unsigned_token(claims: dict) -> str:
    """A token with header ``{"alg": "none"}`` and no signature, as an attacker writes it."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def signed(claims: dict, *, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def in_minutes(minutes: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


# Tokens that every door taking a buyer's token refuses (jieru.auth, the app channel, the
# widget's channel), as (test id, token, the reason given).
REFUSED = [
    ("garbage", "garbage.not.jwt", "malformed"),
    (
        "wrong-secret",
        signed({"sub": "b1001", "exp": in_minutes(5)}, secret=OTHER_SECRET),
        "bad_signature",
    ),
    ("expired", signed({"sub": "b1001", "exp": in_minutes(-10)}), "expired"),
    ("no-exp", signed({"sub": "b1001"}), "missing_claim"),
    ("no-sub", signed({"exp": in_minutes(5)}), "missing_claim"),
    ("hs512", signed({"sub": "b1001", "exp": in_minutes(5)}, algorithm="HS512"), "bad_algorithm"),
    (
        "alg-none",
        unsigned_token({"sub": "b1001", "exp": int(in_minutes(5).timestamp())}),
        "bad_algorithm",
    ),
]
