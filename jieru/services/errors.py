"""The one error contract between the services and their callers (the actions).

A service either returns everything one reply needs or raises one of these; it never
returns None or raises a bare ``LookupError`` to mean "not found". A ``KeyError`` or
``IndexError`` escaping a service is a bug, and reaches the caller as one. The two
state-machine errors are defined beside the state machine (``jieru.rules.transitions``),
which the data layer also raises them from, and are part of this contract.
"""

from __future__ import annotations

from jieru.rules.transitions import HandoffConflict, InvalidTransition

__all__ = [
    "HandoffConflict",
    "HandoffNotFound",
    "InvalidTransition",
    "OrderNotFound",
    "RasaUnavailable",
    "ServiceError",
    "ServiceUnavailable",
]


class ServiceError(Exception):
    """Base of the errors a service raises on purpose."""


class ServiceUnavailable(ServiceError, RuntimeError):
    """The order database cannot be reached; nothing was written."""


class RasaUnavailable(ServiceError, RuntimeError):
    """The Rasa server could not be reached or refused the request; nothing was appended."""


class OrderNotFound(ServiceError):
    """No order with this number belongs to the buyer (it does not exist, or it is
    someone else's: the two read exactly alike)."""

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id


class HandoffNotFound(ServiceError):
    """No hand-off has this id."""

    def __init__(self, handoff_id: int) -> None:
        super().__init__(f"hand-off {handoff_id} does not exist")
        self.handoff_id = handoff_id
