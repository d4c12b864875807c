"""The copies in tests/fixtures (and the packaged orders schema) still equal shared/."""

from __future__ import annotations

import pytest

from jieru.config import PROJECT_ROOT
from tests.fixtures import EXAMPLE_ORDERS, NLU_CONTRACT, SEEDS, SHARED

# copy in the repository -> original, relative to shared/
COPIES = {
    EXAMPLE_ORDERS: "fixtures/example-orders.json",
    NLU_CONTRACT: "nlu-contract.yml",
    PROJECT_ROOT / "jieru" / "schemas" / "orders.schema.json": "fixtures/orders.schema.json",
    **{seed: f"seeds/{seed.name}" for seed in sorted(SEEDS.glob("*.txt"))},
}


def test_copies_equal_the_originals_in_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not found: the copies in tests/fixtures cannot be compared")
    missing = sorted(str(copy) for copy in COPIES if not copy.is_file())
    assert not missing, f"copies missing from the repository: {missing}"
    stale = sorted(
        original
        for copy, original in COPIES.items()
        if not (SHARED / original).is_file()
        or copy.read_bytes() != (SHARED / original).read_bytes()
    )
    assert not stale, f"copy again from {SHARED} (or remove the copy): {stale}"
    new_seeds = {p.name for p in (SHARED / "seeds").glob("*.txt")} - {
        p.name for p in SEEDS.iterdir()
    }
    assert not new_seeds, f"seeds in {SHARED / 'seeds'} not copied to {SEEDS}: {sorted(new_seeds)}"
