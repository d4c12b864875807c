"""bench/kb/questions.yml stays a valid measure of the kb: real facts, every pair covered."""

from __future__ import annotations

import yaml

from jieru.config import PLATFORMS, PROJECT_ROOT
from jieru.kb import faq

QUESTIONS = PROJECT_ROOT / "bench" / "kb" / "questions.yml"


def test_the_bench_questions_name_real_facts_and_cover_every_platform_and_key() -> None:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    assert len(questions) >= 100
    assert len({q["q"] for q in questions}) == len(questions)
    assert {(q["platform"], q["key"]) for q in questions} == {
        (p, k) for p in PLATFORMS for k in faq.faq_keys()
    }
    for q in questions:
        entry = faq.platform_faq(q["platform"])["faq"][q["key"]]
        assert set(q["facts"]) <= {f["id"] for f in entry.get("facts", ())}, q["q"]
        assert bool(q["facts"]) == entry["known"], q["q"]
