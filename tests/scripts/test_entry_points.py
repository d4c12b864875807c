"""The developer entry points: scripts/test.sh --stage and the Makefile agree on the stages."""

from __future__ import annotations

import re
import subprocess

import pytest

from jieru.config import PROJECT_ROOT

TEST_SH = PROJECT_ROOT / "scripts" / "test.sh"


def stages() -> list[str]:
    line = re.search(r"^STAGES=\((.*)\)$", TEST_SH.read_text(encoding="utf-8"), re.M)
    assert line, "scripts/test.sh defines no STAGES=(...)"
    return line[1].split()


def test_every_stage_has_its_function_and_runs_in_order() -> None:
    script = TEST_SH.read_text(encoding="utf-8")
    assert stages() == ["lint", "unit", "rasa-unit", "validate", "train", "conversations", "e2e"]
    for name in stages():
        assert f"stage_{name.replace('-', '_')}() {{" in script, name


def test_makefile_targets_name_only_real_stages() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\(TEST\) ([a-z0-9-]+)", makefile))
    assert used == set(stages())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stage", "nope"], "unknown stage 'nope'"),
        (["--stage"], "--stage needs a name"),
        (["--fast"], "unknown argument --fast"),
    ],
)
def test_a_wrong_stage_is_refused_before_anything_is_installed(args, message) -> None:
    run = subprocess.run(
        ["bash", str(TEST_SH), *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30
    )
    assert run.returncode != 0
    assert message in run.stderr
    assert "installing" not in run.stderr and "using " not in run.stderr
