"""The README's layout table matches the tree: every path it names exists, and every
folder of the checkout is named in it (in full, or by its name in an ancestor's row)."""

from __future__ import annotations

import re
import subprocess

import pytest

from jieru.config import PROJECT_ROOT

NAMED = re.compile(r"`([^`\s]+)`")


def layout_rows() -> list[tuple[list[str], str]]:
    """(the paths of the first column, the whole row) for each row of the table."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return [(NAMED.findall(row.split("|")[1]), row) for row in rows]


def tracked_folders() -> list[str]:
    """Every folder holding a file git tracks, as ``a/b/``."""
    try:
        files = subprocess.run(
            ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"not a git checkout, so the tracked folders are unknown: {exc}")
    parts = (f.split("/")[:-1] for f in files)
    return sorted({"/".join(p[: i + 1]) + "/" for p in parts for i in range(len(p))})


def test_every_path_of_the_first_column_exists():
    paths = [path for firsts, _ in layout_rows() for path in firsts]
    assert paths
    assert [p for p in paths if not (PROJECT_ROOT / p).exists()] == []


def test_every_folder_of_the_tree_is_in_the_table():
    rows = layout_rows()

    def named(folder: str) -> bool:
        if any(f"`{folder}`" in row or f"`{folder}" in row for _, row in rows):
            return True
        name = folder.rstrip("/").rsplit("/", 1)[-1] + "/"
        ancestors = [folder[: i + 1] for i, c in enumerate(folder[:-1]) if c == "/"]
        return any(f"`{name}" in row for firsts, row in rows if set(firsts) & set(ancestors))

    assert [f for f in tracked_folders() if not named(f)] == []
