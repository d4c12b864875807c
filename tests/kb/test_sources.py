"""Every fact in kb/ is backed by a real sentence of a real source."""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest

from jieru.config import PLATFORMS
from jieru.kb import evidence, faq, load_yaml

_t2s = opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Simplified script, whitespace collapsed: how quotes and seeds are compared."""
    return re.sub(r"\s+", " ", _t2s.convert(text)).strip()


def all_citations() -> list[tuple[str, str, dict]]:
    cited = [(f"faq/{p}.yml", path, s) for p in PLATFORMS for path, s in faq.citations(p)]
    cited += [("evidence.yml", path, s) for path, s in evidence.citations()]
    return cited


def test_the_kb_cites_every_seed_it_lists_and_quotes_them(seeds_dir: Path) -> None:
    listed = set(load_yaml("sources.yml")["seeds"])
    cited = {s["seed"] for _, _, s in all_citations() if "seed" in s}
    assert cited <= listed
    assert listed <= {p.name for p in seeds_dir.iterdir()}, "a listed seed is missing"


@pytest.mark.parametrize(
    "file, path, source", all_citations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_quote_occurs_in_its_seed(
    seeds_dir: Path, file: str, path: str, source: dict
) -> None:
    if "rule" in source:
        assert source["rule"] in load_yaml("sources.yml")["rules"]
        return
    seed = normalise((seeds_dir / source["seed"]).read_text(encoding="utf-8"))
    assert normalise(source["quote"]) in seed, f"{file} {path}: quote not in {source['seed']}"


def test_traditional_quotes_match_only_after_conversion(seeds_dir: Path) -> None:
    # The check must really convert: a quote kept in traditional script is found in the
    # traditional seed only through t2s, and a mangled quote is not found at all.
    quote = "商家需4個小時內(nèi)(工作日9:00-18:00)充分舉證"
    raw = (seeds_dir / "jd-where-to-apply.txt").read_text(encoding="utf-8")
    assert quote in raw and "商家需4个小时" not in raw
    assert normalise("商家需4个小时内(nèi)(工作日9:00-18:00)充分举证") in normalise(raw)
    assert normalise("商家需8个小时内") not in normalise(raw)
