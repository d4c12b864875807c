"""The one error contract between the services and their callers (the actions).

A service either returns everything one reply needs or raises one of these; it never
returns None or raises a bare ``LookupError`` to mean "not found". A ``KeyError`` or
``IndexError`` escaping a service is a bug, and reaches the caller as one.
"""

from __future__ import annotations

from jieru.rules.transitions import InvalidTransition

__all__ = ["InvalidTransition", "OrderNotFound", "ServiceError", "ServiceUnavailable"]


class ServiceError(Exception):
    """Base of the errors a service raises on purpose."""


class ServiceUnavailable(ServiceError, RuntimeError):
    """The order database cannot be reached; nothing was written."""


class OrderNotFound(ServiceError):
    """No order with this number belongs to the buyer (it does not exist, or it is
    someone else's: the two read exactly alike)."""

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id
