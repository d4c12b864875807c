"""``jieru import-orders``: load an orders file (``jieru/schemas/orders.schema.json``).

Promises (CONTRACT.md §2): the file is checked first and every problem is reported with
its JSON path; a file with any problem writes nothing; a good file is written in one
transaction; importing the same file again changes nothing (rows are upserted by their
natural ids, and only real changes are audited).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session

from jieru.config import now
from jieru.db import repository
from jieru.db.models import AfterSale, Base, Buyer, Dispute, Intervention, Order, Shop
from jieru.db.session import get_sessionmaker
from jieru.rules.facts import AFTERSALE_STEP_TIMES
from jieru.rules.transitions import OPEN_INTERVENTION_STATUSES, is_final

ACTOR = "import"
MAX_FEN = 2**63 - 1  # BIGINT
_MESSAGE_LIMIT = 300

Location = tuple[str | int, ...]


def json_path(location: Location) -> str:
    """``("orders", 3, "status")`` → ``$.orders[3].status``."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location)


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused, at a JSON path such as ``$.orders[3].status``."""

    location: Location
    message: str

    @property
    def path(self) -> str:
        return json_path(self.location)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class ImportReport:
    """What an import found (``problems``; empty when it was written) and what it changed."""

    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # rows per kind in the file
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class UnreadableFile(ValueError):
    """The file cannot be read as JSON at all."""


# --- reading -----------------------------------------------------------------------------


@cache
def schema() -> dict[str, Any]:
    """The orders file JSON Schema shipped with the package."""
    return json.loads(
        (resources.files("jieru") / "schemas" / "orders.schema.json").read_text("utf-8")
    )


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def read_file(path: str | Path) -> Any:
    """The parsed JSON in ``path``; raises ``UnreadableFile`` with a one-line reason."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file ({exc.strerror or exc})") from None
    if not raw.strip():
        raise UnreadableFile("the file is empty")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise UnreadableFile("not valid JSON: nested too deeply") from None


_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)")


def parse_time(text: str) -> datetime:
    """An RFC 3339 time with an offset (``2026-11-10T09:12:00+08:00``, ``...Z``) → aware datetime."""
    match = _TIME.fullmatch(text.strip().upper())
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time with an offset")
    base, fraction, offset = match.groups()
    micro = f".{(fraction or '')[:6]:0<6}"
    return datetime.fromisoformat(base + micro + ("+00:00" if offset == "Z" else offset))


def to_fen(amount: str) -> int:
    """A schema money string in yuan → exact integer fen (``"199.00"`` → 19900)."""
    return int(Decimal(amount).scaleb(2))


# --- checking ----------------------------------------------------------------------------


def _short(message: str, instance: Any) -> str:
    if isinstance(instance, str) and len(instance) > 60:
        message = message.replace(
            repr(instance), repr(instance[:40]) + f"… ({len(instance)} characters)"
        )
    return message if len(message) <= _MESSAGE_LIMIT else message[:_MESSAGE_LIMIT] + "…"


def _schema_problems(data: Any) -> Iterator[Problem]:
    for error in _validator().iter_errors(data):
        yield Problem(tuple(error.absolute_path), _short(error.message, error.instance))


def _strings(value: Any, location: Location = ()) -> Iterator[tuple[Location, str]]:
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*location, index))


def _text_problems(data: Any) -> Iterator[Problem]:
    """Strings no database can store verbatim: NUL characters and lone surrogates."""
    for location, text in _strings(data):
        if "\x00" in text:
            yield Problem(location, "contains a NUL character (\\u0000), which cannot be stored")
        else:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                yield Problem(
                    location, "contains an unpaired surrogate, which is not valid Unicode text"
                )


def _items(container: Any, key: str, location: Location = ()) -> Iterator[tuple[Location, dict]]:
    """The dict entries of ``container[key]`` with their locations (malformed ones are left to
    the schema check)."""
    values = container.get(key) if isinstance(container, dict) else None
    if isinstance(values, list):
        for index, value in enumerate(values):
            if isinstance(value, dict):
                yield (*location, key, index), value


def _str(record: dict, key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) else None


@dataclass
class _Entries:
    """The file's records with their locations; nested ones with their parent record."""

    buyers: list[tuple[Location, dict]]
    shops: list[tuple[Location, dict]]
    orders: list[tuple[Location, dict]]
    aftersales: list[tuple[Location, dict, dict]]  # (location, service order, its order)
    interventions: list[tuple[Location, dict, dict]]  # (location, intervention, its service order)

    @classmethod
    def of(cls, data: Any) -> _Entries:
        orders = list(_items(data, "orders"))
        aftersales = [
            (loc, a, o) for o_loc, o in orders for loc, a in _items(o, "aftersales", o_loc)
        ]
        return cls(
            buyers=list(_items(data, "buyers")),
            shops=list(_items(data, "shops")),
            orders=orders,
            aftersales=aftersales,
            interventions=[
                (loc, i, a)
                for a_loc, a, _ in aftersales
                for loc, i in _items(a, "interventions", a_loc)
            ],
        )


def _stored_open_interventions(session: Session, aftersale_ids: set[str]) -> dict[str, str]:
    """Service order id → number of its open intervention in the database."""
    if not aftersale_ids:
        return {}
    stmt = select(Intervention.aftersale_id, Intervention.number).where(
        Intervention.aftersale_id.in_(aftersale_ids),
        Intervention.status.in_(OPEN_INTERVENTION_STATUSES),
    )
    return dict(session.execute(stmt).tuples().all())


def _value_problems(data: Any, shift: timedelta) -> Iterator[Problem]:
    """Times that do not convert to datetimes, money that does not fit the database."""
    for location, text in _strings(data):
        key = location[-1] if location else None
        if isinstance(key, str) and key.endswith("_at") and _TIME.fullmatch(text.strip().upper()):
            try:
                parse_time(text) + shift
            except (ValueError, OverflowError) as exc:
                yield Problem(location, f"not a usable time: {exc}")
        if (
            key == "amount"
            and re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text)
            and to_fen(text) > MAX_FEN
        ):
            yield Problem(location, f"amount too large (at most {MAX_FEN} fen)")


def _duplicate_problems(f: _Entries) -> Iterator[Problem]:
    for entries, key, label in (
        (f.buyers, "id", "buyer id"),
        (f.shops, "id", "shop id"),
        (f.orders, "id", "order id"),
        (f.aftersales, "id", "service order id"),
        (f.interventions, "number", "intervention number"),
    ):
        first: dict[str, Location] = {}
        for location, record, *_ in entries:
            value = _str(record, key)
            if value in first:
                yield Problem(
                    (*location, key),
                    f"duplicate {label} {value!r} (first at {json_path(first[value])})",
                )
            elif value is not None:
                first[value] = location


def _unknown_reference_problems(f: _Entries, session: Session) -> Iterator[Problem]:
    """Orders naming a buyer or shop that is neither in the file nor in the database."""
    for key, model, entries, label in (
        ("buyer_id", Buyer, f.buyers, "buyer"),
        ("shop_id", Shop, f.shops, "shop"),
    ):
        wanted = {v for _, o in f.orders if (v := _str(o, key)) is not None}
        known = {v for _, r in entries if (v := _str(r, "id")) is not None}
        if wanted - known:
            known |= set(session.scalars(select(model.id).where(model.id.in_(wanted - known))))
        for location, order in f.orders:
            if (value := _str(order, key)) is not None and value not in known:
                yield Problem(
                    (*location, key),
                    f"unknown {label} {value!r} (not in this file nor in the database)",
                )


def _moved_row_problems(f: _Entries, session: Session) -> Iterator[Problem]:
    """An import updates rows in place; it never moves one to another parent."""
    # (key column, parent column, the field a wrong parent is reported on, labels, entries)
    checks = (
        (
            Order.id,
            Order.buyer_id,
            "buyer_id",
            "order",
            "buyer",
            [(loc, o, _str(o, "buyer_id")) for loc, o in f.orders],
        ),
        (
            AfterSale.id,
            AfterSale.order_id,
            "id",
            "service order",
            "order",
            [(loc, a, _str(o, "id")) for loc, a, o in f.aftersales],
        ),
        (
            Intervention.number,
            Intervention.aftersale_id,
            "number",
            "intervention",
            "service order",
            [(loc, i, _str(a, "id")) for loc, i, a in f.interventions],
        ),
    )
    for key_col, parent_col, field_name, label, parent_label, entries in checks:
        key = key_col.key
        keys = {v for _, r, _ in entries if (v := _str(r, key)) is not None}
        stmt = select(key_col, parent_col).where(key_col.in_(keys))
        stored = dict(session.execute(stmt).tuples().all()) if keys else {}
        for location, record, parent in entries:
            value = _str(record, key)
            was = stored.get(value) if value is not None else None
            if was is not None and parent is not None and was != parent:
                yield Problem(
                    (*location, field_name),
                    f"{label} {record[key]!r} belongs to {parent_label} "
                    f"{was!r} in the database; an import does not move it",
                )


def _open_intervention_problems(f: _Entries, session: Session) -> Iterator[Problem]:
    """At most one open intervention per service order, counting those already stored."""
    in_file = {v for _, i, _ in f.interventions if (v := _str(i, "number")) is not None}
    stored = _stored_open_interventions(
        session, {v for _, a, _ in f.aftersales if (v := _str(a, "id"))}
    )
    opened: dict[int, list[Location]] = {}
    for location, intervention, aftersale in f.interventions:
        if intervention.get("status") in OPEN_INTERVENTION_STATUSES:
            opened.setdefault(id(aftersale), []).append(location)
    for _, aftersale, _ in f.aftersales:
        locations = opened.get(id(aftersale), [])
        number = stored.get(_str(aftersale, "id") or "")
        if number is not None and number not in in_file:
            first, extra = f"intervention {number!r} in the database", locations
        else:
            first, extra = (json_path(locations[0]) if locations else ""), locations[1:]
        for location in extra:
            yield Problem(
                (*location, "status"),
                f"a service order can have only one open intervention (already open: {first})",
            )


def check(data: Any, session: Session, *, shift: timedelta = timedelta(0)) -> list[Problem]:
    """Every problem with ``data`` as an orders file, in document order; reads, never writes."""
    entries = _Entries.of(data)
    problems = [
        *_schema_problems(data),
        *_text_problems(data),
        *_value_problems(data, shift),
        *_duplicate_problems(entries),
        *_unknown_reference_problems(entries, session),
        *_moved_row_problems(entries, session),
        *_open_intervention_problems(entries, session),
    ]
    return sorted(problems, key=lambda p: _document_position(data, p.location))


def _document_position(data: Any, location: Location) -> list[int]:
    """Where ``location`` is in the file: list indexes and the position of each key."""
    position, node = [], data
    for part in location:
        if isinstance(node, dict) and part in node:
            position.append(list(node).index(part))
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            position.append(part)
        else:
            break
        node = node[part]
    return position


# --- writing -----------------------------------------------------------------------------


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def _upsert(
    session: Session,
    report: ImportReport,
    model: type[Base],
    key: dict[str, Any],
    values: dict[str, Any],
    *,
    on_create: dict[str, Any] | None = None,
) -> None:
    """Insert the row named by ``key`` or update the fields that differ; audit real changes."""
    row = session.scalars(select(model).filter_by(**key)).one_or_none()
    if row is None:
        changed = {**values, **(on_create or {})}
        session.add(model(**key, **changed))
        action, report.created = "import_create", report.created + 1
    else:
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        for k, v in changed.items():
            setattr(row, k, v)
        action, report.updated = "import_update", report.updated + bool(changed)
    if changed:
        repository.audit(
            session,
            actor=ACTOR,
            action=action,
            entity=model.__tablename__,
            entity_id=str(next(iter(key.values()))),
            detail=_jsonable(changed),
        )


def import_orders(data: Any, session: Session, *, shift: timedelta = timedelta(0)) -> ImportReport:
    """Check ``data`` and, when it has no problem, upsert it into ``session`` (the caller owns
    the transaction). Every time is moved by ``shift``. Nothing is written on any problem."""
    report = ImportReport(problems=check(data, session, shift=shift))
    if not report.ok:
        return report
    f = _Entries.of(data)

    def times(record: dict, *keys: str) -> dict[str, datetime | None]:
        return {key: parse_time(record[key]) + shift if key in record else None for key in keys}

    for _, buyer in f.buyers:
        _upsert(
            session,
            report,
            Buyer,
            {"id": buyer["id"]},
            {"name": buyer["name"], "phone": buyer.get("phone")},
        )
    for _, shop in f.shops:
        _upsert(
            session,
            report,
            Shop,
            {"id": shop["id"]},
            {
                "name": shop["name"],
                "platform": shop["platform"],
                "self_operated": shop.get("self_operated", False),
            },
        )
    for _, order in f.orders:
        _upsert(
            session,
            report,
            Order,
            {"id": order["id"]},
            {
                "buyer_id": order["buyer_id"],
                "shop_id": order["shop_id"],
                "title": order["title"],
                "goods_type": order["goods_type"],
                "amount_fen": to_fen(order["amount"]),
                "payment_method": order["payment_method"],
                "status": order["status"],
                **times(
                    order, "created_at", "paid_at", "shipped_at", "delivered_at", "completed_at"
                ),
            },
        )

    # Locked while an intervention is open: one in the file, or a stored one the file omits.
    in_file = {i["number"] for _, i, _ in f.interventions}
    stored_open = _stored_open_interventions(session, {a["id"] for _, a, _ in f.aftersales})
    locked = {a_id for a_id, number in stored_open.items() if number not in in_file}
    locked |= {a["id"] for _, i, a in f.interventions if i["status"] in OPEN_INTERVENTION_STATUSES}
    for _, aftersale, order in f.aftersales:
        amount = aftersale.get("amount")
        _upsert(
            session,
            report,
            AfterSale,
            {"id": aftersale["id"]},
            {
                "order_id": order["id"],
                "type": aftersale["type"],
                "status": aftersale["status"],
                "reason": aftersale.get("reason"),
                "amount_fen": to_fen(amount) if amount else None,
                "locked": aftersale["id"] in locked,
                **times(aftersale, "requested_at", *AFTERSALE_STEP_TIMES),
            },
        )
        if "dispute_opened_at" in aftersale:
            _upsert(
                session,
                report,
                Dispute,
                {"aftersale_id": aftersale["id"]},
                {
                    "opened_at": parse_time(aftersale["dispute_opened_at"]) + shift,
                    "status": "closed" if is_final("aftersale", aftersale["status"]) else "open",
                },
            )
    # Closed ones first, so that closing one intervention and opening another in the same
    # file never shows the unique index two open ones.
    for _, intervention, aftersale in sorted(
        f.interventions, key=lambda e: e[1]["status"] in OPEN_INTERVENTION_STATUSES
    ):
        _upsert(
            session,
            report,
            Intervention,
            {"number": intervention["number"]},
            {
                "aftersale_id": aftersale["id"],
                "status": intervention["status"],
                "decision": intervention.get("decision"),
                **times(intervention, "opened_at", "evidence_due_at", "decided_at"),
            },
            on_create={"source": ACTOR},
        )
    report.counts.update(
        buyers=len(f.buyers),
        shops=len(f.shops),
        orders=len(f.orders),
        aftersales=len(f.aftersales),
        interventions=len(f.interventions),
    )
    session.flush()
    return report


def run_import(path: str | Path, *, rebase_from: str | None = None, url: str | None = None) -> int:
    """Import the file at ``path`` into ``url`` (default ``DATABASE_URL``); print a summary, or
    every problem on stderr. Returns the process exit code (0 written, 1 refused)."""

    def refuse(*lines: str) -> int:
        print(*lines, sep="\n", file=sys.stderr)
        return 1

    try:
        data = read_file(path)
    except UnreadableFile as exc:
        return refuse(f"{path}: {exc}; nothing was written")
    shift = timedelta(0)
    if rebase_from is not None:
        try:
            shift = now() - parse_time(rebase_from)
        except ValueError as exc:
            return refuse(f"--rebase-from: {exc}; nothing was written")
    try:
        with get_sessionmaker(url).begin() as session:
            report = import_orders(data, session, shift=shift)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        hint = (
            " (is the schema there? run `jieru db upgrade`)"
            if isinstance(exc, (OperationalError, ProgrammingError))
            else ""
        )
        return refuse(
            f"{path}: the database refused the import: {reason}{hint}; nothing was written"
        )
    if not report.ok:
        n = len(report.problems)
        return refuse(
            *map(str, report.problems),
            f"{path}: refused, {n} problem{'s' * (n != 1)}; nothing was written",
        )
    kinds = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
    print(f"{path}: imported {kinds}; {report.created} rows created, {report.updated} updated")
    return 0
