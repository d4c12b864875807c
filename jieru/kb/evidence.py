"""What evidence a buyer should gather for each kind of problem, from kb/evidence.yml."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jieru.config import PLATFORMS
from jieru.kb import kb_dir
from jieru.kb.faq import KbError, check_cited, load_checked, source_label

EVIDENCE_FILE = "evidence.yml"


@dataclass(frozen=True)
class EvidenceItem:
    id: str
    label: str
    source: str
    # Why it is suggested although no source names it; None when a source names it.
    inferred: str | None = None


def _evidence() -> dict:
    data = load_checked(EVIDENCE_FILE, "evidence.schema.json")
    undefined = [
        f"  at $.problems.{problem}[{i}].item: {entry['item']!r} is not defined under items"
        for problem, entries in data["problems"].items()
        for i, entry in enumerate(entries)
        if entry["item"] not in data["items"]
    ]
    if undefined:
        raise KbError(f"{kb_dir() / EVIDENCE_FILE}:\n" + "\n".join(undefined))
    check_cited(str(kb_dir() / EVIDENCE_FILE), citations())
    return data


def citations() -> Iterator[tuple[str, dict]]:
    """Every (JSON path, source) cited by kb/evidence.yml."""
    data = load_checked(EVIDENCE_FILE, "evidence.schema.json")
    for item_id, item in data["items"].items():
        yield f"$.items.{item_id}.source", item["source"]


def problems() -> tuple[str, ...]:
    """The report_* intents that have a checklist."""
    return tuple(_evidence()["problems"])


def checklist(problem: str, platform: str | None = None) -> list[EvidenceItem]:
    """The evidence to gather for ``problem`` (a report_* intent), in order of importance.

    Items limited to some platforms are left out unless ``platform`` is one of them.
    Raises ValueError for an unknown problem or platform."""
    data = _evidence()
    if problem not in data["problems"]:
        raise ValueError(f"no evidence checklist for {problem!r}; known: {tuple(data['problems'])}")
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")
    return [
        EvidenceItem(
            id=entry["item"],
            label=entry.get("label", item["label"]),
            source=source_label(item["source"]),
            inferred=item.get("inferred"),
        )
        for entry in data["problems"][problem]
        if "platforms" not in entry or platform in entry["platforms"]
        for item in [data["items"][entry["item"]]]
    ]
