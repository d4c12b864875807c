"""The one error contract: the typed errors a service raises to its callers are those of
``jieru.services.errors``; no service module defines a public exception of its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import jieru.services
from jieru.rules import transitions
from jieru.services import errors
from jieru.services.errors import ServiceError


def service_modules() -> list[str]:
    return [
        f"jieru.services.{m.name}"
        for m in pkgutil.iter_modules(jieru.services.__path__)
        if m.name != "errors"
    ]


def test_no_service_module_defines_a_public_exception():
    defined = [
        f"{name}.{cls.__name__}"
        for name in service_modules()
        for cls in vars(importlib.import_module(name)).values()
        if inspect.isclass(cls)
        and issubclass(cls, BaseException)
        and cls.__module__ == name
        and not cls.__name__.startswith("_")
    ]
    assert defined == []


def test_every_error_of_the_contract_is_a_service_error_or_the_state_machines():
    exported = [getattr(errors, name) for name in errors.__all__]
    assert all(issubclass(e, BaseException) for e in exported)
    assert {e for e in exported if not issubclass(e, ServiceError)} == {
        transitions.InvalidTransition,
        transitions.HandoffConflict,
    }
