"""Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from jieru.config import PROJECT_ROOT
from jieru.db.migrate import alembic_config, downgrade, revision, upgrade
from jieru.db.models import Base

TABLES = {t.name for t in Base.metadata.sorted_tables}


def test_upgrade_from_empty_matches_the_models(engine, db_url):
    upgrade(url=db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        head = MigrationContext.configure(conn).get_current_revision()
    assert diff == []
    assert head == ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()


def test_indexes_and_unique_constraints_are_all_there(engine, db_url):
    upgrade(url=db_url)
    inspector = inspect(engine)
    assert TABLES <= set(inspector.get_table_names())
    indexes = {i["name"]: i for i in inspector.get_indexes("interventions")}
    one_open = indexes["uq_interventions_one_open_per_aftersale"]
    assert one_open["unique"] and one_open["column_names"] == ["aftersale_id"]
    uniques = {u["name"] for u in inspector.get_unique_constraints("interventions")}
    assert "uq_interventions_number" in uniques


def test_upgrade_twice_is_harmless_and_downgrade_removes_everything(engine, db_url):
    upgrade(url=db_url)
    upgrade(url=db_url)
    downgrade("base", url=db_url)
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(url=db_url)
    assert TABLES <= set(inspect(engine).get_table_names())


def test_cli_upgrade_works_from_any_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    jieru = Path(sys.executable).with_name("jieru")
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [str(jieru), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_new_migration_is_one_command_and_empty_while_models_match(tmp_path):
    migrations = tmp_path / "migrations"
    shutil.copytree(PROJECT_ROOT / "jieru" / "migrations", migrations)
    head = len(list((migrations / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")))
    written = revision("add nothing", autogenerate=True, script_location=migrations)
    assert written.parent == migrations / "versions"
    assert written.name == f"{head + 1:04d}_add_nothing.py"
    source = written.read_text(encoding="utf-8")
    assert f"down_revision: Union[str, Sequence[str], None] = '{head:04d}'" in source
    assert "op." not in source  # nothing to do: the migrations already build the models


def test_alembic_ini_at_the_root_finds_the_migrations_and_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'alembic.db'}"
    alembic = str(Path(sys.executable).with_name("alembic"))
    env = {**os.environ, "DATABASE_URL": url}
    for args in (["upgrade", "head"], ["check"]):
        result = subprocess.run(
            [alembic, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
    engine = create_engine(url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
