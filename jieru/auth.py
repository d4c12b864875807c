"""Tokens for the in-app channel: HS256 JWTs whose ``sub`` is the buyer's id (CONTRACT.md §3),
and for human agents: the same with ``sub`` the agent's id and the claim ``role: agent``.
A token without ``role`` is a buyer's; each side accepts only its own role.

Pure PyJWT, no Rasa: the Rasa server, the action server and the ``jieru token`` command
all import it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt

from jieru.config import settings

ALGORITHM = "HS256"
MAX_BUYER_ID_LENGTH = 64
BUYER, AGENT = "buyer", "agent"
ROLES = (BUYER, AGENT)
# Tolerated difference between the clock of whoever issues tokens and ours.
CLOCK_SKEW = timedelta(seconds=30)


class AuthError(Exception):
    """A token was refused; ``reason`` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class MissingSecretError(RuntimeError):
    """No signing secret is configured, so tokens can be neither made nor checked."""


# Most specific first: PyJWT's errors inherit from one another.
_REASONS: tuple[tuple[type[jwt.exceptions.PyJWTError], str], ...] = (
    (jwt.exceptions.ExpiredSignatureError, "expired"),
    (jwt.exceptions.ImmatureSignatureError, "not_yet_valid"),
    (jwt.exceptions.MissingRequiredClaimError, "missing_claim"),
    (jwt.exceptions.InvalidSignatureError, "bad_signature"),
    (jwt.exceptions.InvalidAlgorithmError, "bad_algorithm"),
    (jwt.exceptions.InvalidSubjectError, "bad_subject"),
    (jwt.exceptions.DecodeError, "malformed"),
)


def resolve_secret(secret: str | None = None) -> str:
    """Return ``secret``, else ``JIERU_APP_JWT_SECRET``; raise MissingSecretError if neither is set."""
    resolved = secret or settings().app_jwt_secret
    if not resolved:
        raise MissingSecretError(
            "No JWT secret configured: set the environment variable JIERU_APP_JWT_SECRET."
        )
    return resolved


def valid_buyer_id(value: object) -> bool:
    """True if ``value`` can be a buyer id: a non-empty string of at most 64 characters."""
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_BUYER_ID_LENGTH


def make_token(
    buyer_id: str,
    *,
    minutes: int = 60,
    secret: str | None = None,
    now: datetime | None = None,
    role: str = BUYER,
) -> str:
    """Sign a token for ``buyer_id`` (an agent's id when ``role`` is ``agent``) valid
    ``minutes`` minutes from ``now`` (the real clock by default)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    if not valid_buyer_id(buyer_id):
        raise ValueError(
            f"buyer id must be a non-empty string of at most {MAX_BUYER_ID_LENGTH} characters"
        )
    if minutes <= 0:
        raise ValueError("minutes must be positive")
    # The real clock, not jieru.config.now(): a demo's pinned JIERU_CLOCK would issue
    # tokens that PyJWT, which checks against the real clock, finds expired.
    issued = now or datetime.now(timezone.utc)
    claims = {"sub": buyer_id, "iat": issued, "exp": issued + timedelta(minutes=minutes)}
    if role != BUYER:  # buyer tokens stay exactly as CONTRACT.md §3 describes them
        claims["role"] = role
    return jwt.encode(claims, resolve_secret(secret), algorithm=ALGORITHM)


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any case);
    AuthError ``missing_token`` without a header, ``not_bearer`` for any other shape."""
    parts = (authorization or "").split()
    if not parts:
        raise AuthError("missing_token")
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise AuthError("not_bearer")
    return parts[1]


def verify_token(token: str, *, secret: str | None = None, role: str = BUYER) -> str:
    """Return the subject (buyer or agent id) of a valid HS256 token with ``exp`` and
    ``sub`` whose role is ``role``; raise AuthError otherwise (``wrong_role`` for a valid
    token of the other role)."""
    key = resolve_secret(secret)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
            leeway=CLOCK_SKEW,
        )
    except jwt.exceptions.PyJWTError as error:
        reason = next((r for cls, r in _REASONS if isinstance(error, cls)), "invalid")
        raise AuthError(reason, str(error)) from error
    buyer_id = claims["sub"]
    if not valid_buyer_id(buyer_id):
        raise AuthError("bad_subject", "sub must be a non-empty string of at most 64 characters")
    if claims.get("role", BUYER) != role:
        raise AuthError(
            "wrong_role", f"a {claims.get('role', BUYER)} token where a {role} token is needed"
        )
    return buyer_id
