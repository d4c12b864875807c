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

    Items limited to some platforms (by the item or by the problem's entry) are left out
    unless ``platform`` is one of them; with none left, the ``fallback`` item (general
    advice, saying so) is all that remains.
    Raises ValueError for an unknown problem or platform."""
    data = _evidence()
    if problem not in data["problems"]:
        raise ValueError(f"no evidence checklist for {problem!r}; known: {tuple(data['problems'])}")
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")

    def applies(entry: dict, item: dict) -> bool:
        return all(
            "platforms" not in spec or platform in spec["platforms"] for spec in (entry, item)
        )

    entries = [
        (entry, item)
        for entry in data["problems"][problem]
        for item in [data["items"][entry["item"]]]
        if applies(entry, item)
    ]
    # A fallback item stands in only where no source names anything for this platform.
    own = [(e, i) for e, i in entries if not i.get("fallback")]
    return [
        EvidenceItem(
            id=entry["item"],
            label=entry.get("label", item["label"]),
            source=source_label(item["source"]),
            inferred=item.get("inferred"),
        )
        for entry, item in (own or entries)
    ]
