"""The real buyers' dev set measures the NLU; it must never be in the training data, nor
in the typed text of the conversation tests (tests/conversations), which would then
measure it twice.

No training example may be a near-duplicate of a dev row: after normalising (script,
case, punctuation, spaces, entity markup) their character 4-gram sets may not overlap
by more than 0.8 (Jaccard), and no normalised text may be equal.
"""

from __future__ import annotations

import os
import re
import sys

import opencc
import pytest
import yaml

from jieru.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench" / "nlu"))
from realset import REAL_DEV, load_real_dev  # noqa: E402

MAX_OVERLAP = 0.8
_to_simplified = opencc.OpenCC("t2s")
_MARKUP = re.compile(r"\[([^\]]*)\][{(][^})]*[})]")


def normalise(text: str) -> str:
    text = _to_simplified.convert(_MARKUP.sub(r"\1", text)).lower()
    return re.sub(r"[\W_]+", "", text)


def grams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 4] for i in range(max(len(text) - 3, 1)))


def training_examples() -> list[str]:
    examples = []
    for path in sorted((PROJECT_ROOT / "bot" / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    examples.append(line.strip()[2:])
    return examples


def conversation_texts() -> list[str]:
    """What the buyer types in the conversation test stories (button payloads aside)."""
    texts = []
    for path in sorted((PROJECT_ROOT / "tests" / "conversations").glob("test_*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8")).get("stories", []):
            for step in story.get("steps", []):
                text = str(step.get("user", "")).strip()
                if text and not text.startswith("/"):
                    texts.append(text)
    return texts


@pytest.fixture(scope="module")
def dev_rows() -> list[str]:
    if not REAL_DEV.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the real-buyer dev set is missing: {REAL_DEV}")
        pytest.skip(f"the real-buyer dev set is not beside the checkout ({REAL_DEV})")
    return [row["text"] for row in load_real_dev()]


def test_normalise_folds_script_markup_and_punctuation() -> None:
    assert normalise("[京東](platform:jd)賣家 拒絕退款，怎麼辦？") == normalise(
        "京东卖家拒绝退款怎么办"
    )


def near_duplicates(examples: list[str], dev_rows: list[str]) -> list[tuple[str, str, float]]:
    """(example, dev row, overlap) for every example too close to a dev row."""
    dev = [(text, normalise(text)) for text in dev_rows]
    dev_grams = [(text, norm, grams(norm)) for text, norm in dev]
    hits = []
    for example in examples:
        norm = normalise(example)
        mine = grams(norm)
        for text, dev_norm, theirs in dev_grams:
            overlap = len(mine & theirs) / len(mine | theirs)
            if norm == dev_norm or overlap > MAX_OVERLAP:
                hits.append((example, text, round(overlap, 2)))
    return hits


def test_no_training_example_is_a_near_duplicate_of_a_dev_row(dev_rows: list[str]) -> None:
    assert near_duplicates(training_examples(), dev_rows) == []


def test_no_typed_test_story_text_is_a_near_duplicate_of_a_dev_row(dev_rows: list[str]) -> None:
    texts = conversation_texts()
    assert len(texts) >= 100  # the stories are found: a wrong path must not pass silently
    assert near_duplicates(texts, dev_rows) == []
