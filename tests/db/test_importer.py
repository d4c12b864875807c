"""``jieru import-orders``: checks, all-or-nothing, idempotency, rebase (CONTRACT.md §2)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from jieru.db import repository as repo
from jieru.db.models import AfterSale, AuditLog, Buyer, Dispute, Intervention, Order, Shop
from jieru.importer import import_orders, parse_time, read_file, run_import, to_fen
from tests.fixtures import EXAMPLE_ORDERS

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def example(example_data):
    return example_data()


def _write(tmp_path: Path, data, name="orders.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def _paths(report) -> list[str]:
    return [p.path for p in report.problems]


def _empty(row_counts) -> bool:
    return not any(row_counts().values())


def _aftersale(example):
    return example["orders"][0]["aftersales"][0]


# --- a good file ----------------------------------------------------------------------------


def test_example_imports_with_exact_money_and_aware_times(import_data, session_factory, example):
    report = import_data(example)
    assert report.ok and report.created == 7 and report.updated == 0
    assert report.counts == {
        "buyers": 1,
        "shops": 2,
        "orders": 2,
        "aftersales": 1,
        "interventions": 0,
    }
    with session_factory() as s:
        order = s.get(Order, "250312345678")
        assert order.amount_fen == 19900 and s.get(Order, "3901122334455").amount_fen == 45900
        assert order.created_at == datetime(2026, 11, 10, 9, 12, tzinfo=SHANGHAI)
        assert order.completed_at is None
        assert s.get(Shop, "s-jd-01").self_operated is False
        aftersale = s.get(AfterSale, "AS-70001")
        assert (aftersale.status, aftersale.reason, aftersale.amount_fen, aftersale.locked) == (
            "merchant_rejected",
            "左耳无声音",
            19900,
            False,
        )
        dispute = s.scalars(select(Dispute)).one()
        assert (dispute.aftersale_id, dispute.status) == ("AS-70001", "open")
        assert dispute.opened_at == datetime(2026, 11, 15, 8, tzinfo=SHANGHAI)
        assert {a.actor for a in s.scalars(select(AuditLog))} == {"import"}


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        ("199.00", 19900),
        ("0.01", 1),
        ("0.1", 10),
        ("0", 0),
        ("19.99", 1999),
        ("123456789012345.67", 12345678901234567),
        ("92233720368547758.07", 2**63 - 1),
    ],
)
def test_money_is_exact(amount, fen):
    assert to_fen(amount) == fen


def test_importing_twice_leaves_the_same_rows(import_data, dump, example):
    assert import_data(example).ok
    first = dump()
    report = import_data(example)
    assert report.ok and (report.created, report.updated) == (0, 0)
    assert dump() == first


def test_reimport_updates_changed_fields_only_and_audits_them(
    import_data, session_factory, example
):
    assert import_data(example).ok
    changed = copy.deepcopy(example)
    changed["orders"][0]["status"] = "completed"
    changed["orders"][0]["completed_at"] = "2026-11-20T10:00:00+08:00"
    report = import_data(changed)
    assert (report.created, report.updated) == (0, 1)
    with session_factory() as s:
        assert s.get(Order, "250312345678").status == "completed"
        last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (last.action, last.entity, last.entity_id) == ("import_update", "orders", "250312345678")
    assert last.detail == {"status": "completed", "completed_at": "2026-11-20T10:00:00+08:00"}


def test_orders_may_name_buyers_and_shops_already_in_the_database(
    import_data, session_factory, example
):
    assert import_data({**example, "orders": []}).ok
    later = {"version": 1, "buyers": [], "shops": [], "orders": example["orders"]}
    assert import_data(later).ok
    with session_factory() as s:
        assert len(repo.list_orders(s, buyer_id="b1001")) == 2


@pytest.mark.parametrize(
    "text_value",
    [
        "Robert'); DROP TABLE buyers;--",
        "😀👍🏻🇨🇳 张三",
        "<script>alert('x')</script>",
        "\u202eevil\u202c 𠮷野家 ﷺ",
        "' OR 1=1; --\n\t\\%_",
        "陳大文 (繁體)",
    ],
)
def test_strange_text_is_stored_verbatim(import_data, session_factory, example, text_value):
    example["buyers"][0]["name"] = text_value
    example["shops"][0]["name"] = text_value
    example["orders"][0]["title"] = text_value
    _aftersale(example)["reason"] = text_value
    assert import_data(example).ok
    with session_factory() as s:
        assert s.get(Buyer, "b1001").name == text_value
        assert s.get(Shop, "s-jd-01").name == text_value
        assert s.get(Order, "250312345678").title == text_value
        assert s.get(AfterSale, "AS-70001").reason == text_value
        assert s.scalars(select(Buyer.id)).all() == ["b1001"]


def test_huge_text_values_are_stored_verbatim(import_data, session_factory, example):
    title = "超长标题" * 250_000  # one million characters
    example["orders"][0]["title"] = title
    example["buyers"][0]["phone"] = "1" * 5000
    assert import_data(example).ok
    with session_factory() as s:
        assert s.get(Order, "250312345678").title == title
        assert s.get(Buyer, "b1001").phone == "1" * 5000


def test_interventions_in_the_file_are_imported_and_lock(import_data, session_factory, example):
    _aftersale(example)["interventions"] = [
        {"number": "JD-OLD", "status": "withdrawn", "opened_at": "2026-11-15T09:00:00+08:00"},
        {
            "number": "JD-NEW",
            "status": "evidence",
            "opened_at": "2026-11-16T09:00:00+08:00",
            "evidence_due_at": "2026-11-19T09:00:00Z",
        },
    ]
    report = import_data(example)
    assert report.ok and report.counts["interventions"] == 2
    with session_factory() as s:
        aftersale = s.get(AfterSale, "AS-70001")
        assert aftersale.locked is True
        assert [(i.number, i.status, i.source) for i in aftersale.interventions] == [
            ("JD-OLD", "withdrawn", "import"),
            ("JD-NEW", "evidence", "import"),
        ]
        assert aftersale.interventions[1].evidence_due_at == datetime(
            2026, 11, 19, 17, tzinfo=SHANGHAI
        )
    # The platform decides: re-importing with the decision unlocks the service order.
    _aftersale(example)["interventions"][1].update(
        status="decided", decided_at="2026-11-20T09:00:00+08:00", decision="支持买家"
    )
    assert import_data(example).ok
    with session_factory() as s:
        assert s.get(AfterSale, "AS-70001").locked is False
        assert (
            s.scalars(select(Intervention.decision).where(Intervention.number == "JD-NEW")).one()
            == "支持买家"
        )


def test_a_file_may_close_the_open_intervention_and_open_another(
    import_data, session_factory, example
):
    intervention = {"number": "JD-1", "status": "review", "opened_at": "2026-11-15T09:00:00+08:00"}
    _aftersale(example)["interventions"] = [intervention]
    assert import_data(example).ok
    _aftersale(example)["interventions"] = [
        {"number": "JD-2", "status": "submitted", "opened_at": "2026-11-18T09:00:00+08:00"},
        {**intervention, "status": "withdrawn"},
    ]
    assert import_data(example).ok
    with session_factory() as s:
        assert repo.find_open_intervention(s, aftersale_id="AS-70001").number == "JD-2"
        assert s.get(AfterSale, "AS-70001").locked is True


def test_a_bot_filed_intervention_survives_a_reimport(import_data, session_factory, example):
    assert import_data(example).ok
    with session_factory.begin() as s:
        repo.open_intervention(
            s,
            aftersale_id="AS-70001",
            number="BOT-1",
            problem="report_refund_refused",
            description="d",
            evidence=[],
            opened_at=datetime(2026, 11, 16, tzinfo=SHANGHAI),
            evidence_due_at=None,
            decision_due_at=None,
            actor="bot",
        )
    assert import_data(example).ok
    with session_factory() as s:
        assert s.get(AfterSale, "AS-70001").locked is True
    # ...and a file that opens a second one next to it is refused.
    _aftersale(example)["interventions"] = [
        {"number": "JD-9", "status": "submitted", "opened_at": "2026-11-17T09:00:00+08:00"}
    ]
    report = import_data(example)
    assert _paths(report) == ["$.orders[0].aftersales[0].interventions[0].status"]
    assert "'BOT-1' in the database" in report.problems[0].message


# --- bad files: every problem, with its path, nothing written -------------------------------


def test_every_schema_problem_is_reported_with_its_path(import_data, row_counts, example):
    bad = copy.deepcopy(example)
    bad["version"] = 2
    bad["buyers"][0]["nickname"] = "小张"
    bad["shops"][1]["platform"] = "amazon"
    bad["orders"][0]["amount"] = 199.0
    bad["orders"][0]["created_at"] = "2026-11-10"
    bad["orders"][0]["aftersales"][0]["status"] = "foo"
    bad["orders"][0]["aftersales"][0]["amount"] = "199.001"
    del bad["orders"][1]["title"]
    bad["orders"][1]["id"] = "39011-2233"
    report = import_data(bad)
    assert _paths(report) == [  # in the order they appear in the file
        "$.version",
        "$.buyers[0]",
        "$.shops[1].platform",
        "$.orders[0].amount",
        "$.orders[0].created_at",
        "$.orders[0].aftersales[0].status",
        "$.orders[0].aftersales[0].amount",
        "$.orders[1]",
        "$.orders[1].id",
    ]
    by_path = {p.path: p.message for p in report.problems}
    assert "1 was expected" in by_path["$.version"]
    assert "'nickname' was unexpected" in by_path["$.buyers[0]"]
    assert "'amazon' is not one of" in by_path["$.shops[1].platform"]
    assert "199.0 is not of type 'string'" in by_path["$.orders[0].amount"]
    assert "'2026-11-10' is not a 'date-time'" in by_path["$.orders[0].created_at"]
    assert by_path["$.orders[0].aftersales[0].status"].startswith(
        "'foo' is not one of ['requested'"
    )
    assert "does not match" in by_path["$.orders[0].aftersales[0].amount"]
    assert "'title' is a required property" in by_path["$.orders[1]"]
    assert "does not match" in by_path["$.orders[1].id"]
    assert _empty(row_counts)


def test_problems_come_in_document_order(import_data, example):
    orders = [copy.deepcopy(example["orders"][1]) for _ in range(12)]
    for n, order in enumerate(orders):
        order["id"] = f"{100000000 + n}"
    orders[2]["status"] = "lost"
    orders[11]["status"] = "lost"
    orders[10]["goods_type"] = "service"
    report = import_data({**example, "orders": orders})
    assert _paths(report) == [
        "$.orders[2].status",
        "$.orders[10].goods_type",
        "$.orders[11].status",
    ]


@pytest.mark.parametrize("data", [[], "orders", 42, None, {"version": 1}])
def test_the_wrong_kind_of_document(import_data, row_counts, data):
    report = import_data(data)
    assert not report.ok and report.problems[0].path == "$"
    assert _empty(row_counts)


def test_referential_problems_are_reported_like_schema_problems(import_data, row_counts, example):
    example["orders"][0]["buyer_id"] = "b-ghost"
    example["orders"][1]["shop_id"] = "s-ghost"
    report = import_data(example)
    assert [str(p) for p in report.problems] == [
        "$.orders[0].buyer_id: unknown buyer 'b-ghost' (not in this file nor in the database)",
        "$.orders[1].shop_id: unknown shop 's-ghost' (not in this file nor in the database)",
    ]
    assert _empty(row_counts)


def test_duplicates_in_the_file(import_data, row_counts, example):
    example["buyers"].append({"id": "b1001", "name": "另一个张三"})
    example["orders"][1]["id"] = example["orders"][0]["id"]
    example["orders"][1]["aftersales"] = [
        dict(
            _aftersale(example),
            interventions=[
                {"number": "J1", "status": "decided", "opened_at": "2026-11-15T09:00:00+08:00"},
                {"number": "J1", "status": "withdrawn", "opened_at": "2026-11-15T09:00:00+08:00"},
            ],
        )
    ]
    report = import_data(example)
    assert [str(p) for p in report.problems] == [
        "$.buyers[1].id: duplicate buyer id 'b1001' (first at $.buyers[0])",
        "$.orders[1].id: duplicate order id '250312345678' (first at $.orders[0])",
        "$.orders[1].aftersales[0].id: duplicate service order id 'AS-70001' "
        "(first at $.orders[0].aftersales[0])",
        "$.orders[1].aftersales[0].interventions[1].number: duplicate intervention number 'J1' "
        "(first at $.orders[1].aftersales[0].interventions[0])",
    ]
    assert _empty(row_counts)


def test_two_open_interventions_on_one_service_order(import_data, row_counts, example):
    _aftersale(example)["interventions"] = [
        {"number": "J1", "status": "submitted", "opened_at": "2026-11-15T09:00:00+08:00"},
        {"number": "J2", "status": "decided", "opened_at": "2026-11-15T09:00:00+08:00"},
        {"number": "J3", "status": "review", "opened_at": "2026-11-15T09:00:00+08:00"},
    ]
    report = import_data(example)
    assert [str(p) for p in report.problems] == [
        "$.orders[0].aftersales[0].interventions[2].status: a service order can have only one "
        "open intervention (already open: $.orders[0].aftersales[0].interventions[0])"
    ]
    assert _empty(row_counts)


def test_an_import_never_moves_rows_to_another_parent(import_data, session_factory, dump, example):
    assert import_data(example).ok
    with session_factory.begin() as s:
        s.add(Buyer(id="b2002", name="王五"))
    before = dump()
    moved = copy.deepcopy(example)
    moved["orders"][0]["buyer_id"] = "b2002"
    moved["orders"][1]["aftersales"] = moved["orders"][0].pop("aftersales")
    report = import_data(moved)
    assert [str(p) for p in report.problems] == [
        "$.orders[0].buyer_id: order '250312345678' belongs to buyer 'b1001' in the database; "
        "an import does not move it",
        "$.orders[1].aftersales[0].id: service order 'AS-70001' belongs to order '250312345678' "
        "in the database; an import does not move it",
    ]
    assert dump() == before


def test_text_no_database_can_store_is_refused(import_data, row_counts, example):
    example["buyers"][0]["name"] = "张\x00三"
    example["orders"][0]["title"] = "耳机\ud800"
    report = import_data(example)
    assert _paths(report) == ["$.buyers[0].name", "$.orders[0].title"]
    assert "NUL" in report.problems[0].message and "surrogate" in report.problems[1].message
    assert _empty(row_counts)


def test_huge_bad_values_give_short_messages(import_data, example):
    example["orders"][0]["status"] = "x" * 1_000_000
    example["orders"][1]["amount"] = "9" * 40
    report = import_data(example)
    assert _paths(report) == ["$.orders[0].status", "$.orders[1].amount"]
    assert all(len(str(p)) < 400 for p in report.problems)
    assert "1000000 characters" in report.problems[0].message
    assert "too large" in report.problems[1].message


def test_a_late_problem_means_nothing_is_written(import_data, row_counts, example):
    example["orders"] += [
        dict(copy.deepcopy(example["orders"][1]), id=f"{500000000 + n}") for n in range(30)
    ]
    example["orders"][-1]["payment_method"] = "barter"
    report = import_data(example)
    assert _paths(report) == ["$.orders[31].payment_method"]
    assert _empty(row_counts)


def test_a_database_failure_midway_rolls_everything_back(
    session_factory, engine, tmp_path, dump, example, capsys
):
    """A failure the checks cannot foresee (here a trigger) after rows were written."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON disputes "
                    "BEGIN SELECT RAISE(ABORT, 'disputes are closed today'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'disputes are closed today'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON disputes "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
    before = dump()
    assert run_import(_write(tmp_path, example), url=str(engine.url.render_as_string(False))) == 1
    assert "disputes are closed today" in capsys.readouterr().err
    assert dump() == before


# --- files that are not JSON ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n\t ", "the file is empty"),
        (b'{"version": 1, "buyers": [', "not valid JSON: Expecting value (line 1, column 27)"),
        (b"version: 1\nbuyers: []\n", "not valid JSON"),
        (b"\xff\xfe{\x00}\x00", "not UTF-8 text"),
        (b"\x1f\x8b\x08\x00\x00\x00", "not UTF-8 text"),  # gzip
        (b"PK\x03\x04\x14\x00\x06\x00", "not valid JSON"),  # zip
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_unreadable_files_are_refused_cleanly(
    tmp_path, db_url, session_factory, row_counts, capsys, content, reason
):
    path = tmp_path / "orders.json"
    path.write_bytes(content)
    assert run_import(path, url=db_url) == 1
    err = capsys.readouterr().err
    assert reason in err and "nothing was written" in err and "Traceback" not in err
    assert _empty(row_counts)


def test_missing_file_and_directory(tmp_path, db_url, session_factory, capsys):
    assert run_import(tmp_path / "nope.json", url=db_url) == 1
    assert "cannot read the file (No such file or directory)" in capsys.readouterr().err
    assert run_import(tmp_path, url=db_url) == 1
    assert "cannot read the file" in capsys.readouterr().err


def test_a_utf8_bom_is_accepted(tmp_path, example):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(example).encode())
    assert read_file(path) == example


def test_run_import_prints_every_problem(tmp_path, db_url, session_factory, capsys, example):
    example["orders"][0]["status"] = "lost"
    example["orders"][1]["buyer_id"] = "nobody"
    assert run_import(_write(tmp_path, example), url=db_url) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("$.orders[0].status: 'lost' is not one of")
    assert err[1].startswith("$.orders[1].buyer_id: unknown buyer 'nobody'")
    assert err[2].endswith("refused, 2 problems; nothing was written")


def test_run_import_without_a_schema_explains(tmp_path, db_url, capsys, example):
    assert run_import(_write(tmp_path, example), url=db_url) == 1
    assert "jieru db upgrade" in capsys.readouterr().err


# --- rebase ---------------------------------------------------------------------------------


def test_rebase_shifts_every_time_by_now_minus_the_given_time(
    tmp_path, db_url, session_factory, monkeypatch, capsys, example
):
    _aftersale(example)["interventions"] = [
        {
            "number": "J1",
            "status": "evidence",
            "opened_at": "2026-11-15T09:00:00+08:00",
            "evidence_due_at": "2026-11-18T09:00:00+08:00",
        }
    ]
    monkeypatch.setenv("JIERU_CLOCK", "2027-03-01T08:00:00+08:00")
    path = _write(tmp_path, example)
    assert run_import(path, rebase_from="2026-11-15T08:00:00+08:00", url=db_url) == 0
    assert "imported" in capsys.readouterr().out
    shift = datetime(2027, 3, 1, 8, tzinfo=SHANGHAI) - datetime(2026, 11, 15, 8, tzinfo=SHANGHAI)
    with session_factory() as s:
        order = repo.get_order(s, buyer_id="b1001", order_id="250312345678")
        facts = repo.to_facts(order)
    original = {k: parse_time(v) for k, v in example["orders"][0].items() if k.endswith("_at")}
    assert {k: getattr(facts, k) for k in original} == {k: v + shift for k, v in original.items()}
    (aftersale,) = facts.aftersales
    assert aftersale.dispute_opened_at == datetime(2027, 3, 1, 8, tzinfo=SHANGHAI)
    assert aftersale.interventions[0].evidence_due_at == datetime(2027, 3, 4, 9, tzinfo=SHANGHAI)


def test_a_bad_rebase_time_is_refused(
    tmp_path, db_url, session_factory, row_counts, capsys, example
):
    assert run_import(_write(tmp_path, example), rebase_from="last tuesday", url=db_url) == 1
    assert "--rebase-from" in capsys.readouterr().err
    assert _empty(row_counts)


@pytest.mark.parametrize(
    ("text_value", "expected"),
    [
        ("2026-11-10T09:12:00+08:00", datetime(2026, 11, 10, 9, 12, tzinfo=SHANGHAI)),
        ("2026-11-10T01:12:00Z", datetime(2026, 11, 10, 9, 12, tzinfo=SHANGHAI)),
        ("2026-11-10t01:12:00.5z", datetime(2026, 11, 10, 9, 12, 0, 500000, tzinfo=SHANGHAI)),
        (
            "2026-11-10T01:12:00.123456789-00:00",
            datetime(2026, 11, 10, 9, 12, 0, 123456, tzinfo=SHANGHAI),
        ),
    ],
)
def test_parse_time(text_value, expected):
    assert parse_time(text_value) == expected and parse_time(text_value).tzinfo is not None


@pytest.mark.parametrize(
    "text_value", ["2026-11-10T09:12:00", "2026-11-10", "昨天", "2026-13-10T09:12:00Z"]
)
def test_parse_time_refuses(text_value):
    with pytest.raises(ValueError):
        parse_time(text_value)


# --- the command, end to end ----------------------------------------------------------------


def test_cli_upgrade_then_import_twice(tmp_path):
    jieru = str(Path(sys.executable).with_name("jieru"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    env.pop("JIERU_CLOCK", None)
    example_file = str(EXAMPLE_ORDERS)

    def run(*args):
        return subprocess.run(
            [jieru, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("db", "upgrade").returncode == 0
    first, second = run("import-orders", example_file), run("import-orders", example_file)
    assert first.returncode == 0 and "7 rows created, 0 updated" in first.stdout, first.stderr
    assert second.returncode == 0 and "0 rows created, 0 updated" in second.stdout, second.stderr
    bad = _write(tmp_path, {"version": 1, "buyers": [], "shops": [], "orders": [{}]})
    refused = run("import-orders", str(bad))
    assert refused.returncode == 1 and "$.orders[0]: 'id' is a required property" in refused.stderr


def test_import_orders_is_usable_inside_a_callers_transaction(session_factory, example):
    with session_factory.begin() as s:
        report = import_orders(example, s)
        assert report.ok and s.get(Order, "250312345678") is not None
