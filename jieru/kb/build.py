"""Files generated from kb/ and committed beside the bot: the jieba user dictionary
(bot/dicts/) and the ``utter_faq/<key>`` responses at the end of ``domain.yml``, between
the BEGIN/END markers.

``jieru kb build`` rewrites them; ``--check`` (run by the tests) fails when kb/ has
changed and they were not rebuilt. Outside the markers, domain.yml is written by hand
and never touched here.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

from jieru.config import PROJECT_ROOT
from jieru.kb.faq import domain_responses
from jieru.kb.lexicon import write_userdict

DICT_DIR = PROJECT_ROOT / "bot" / "dicts"
DOMAIN = PROJECT_ROOT / "domain.yml"
BEGIN = "  # ----- BEGIN generated from kb/faq by `jieru kb build`: edit kb/, not this part -----\n"
END = "  # ----- END generated from kb/faq -----\n"
NOTE = (
    "  # The ResponseSelector's labels, one per FAQ key (each platform's overview);\n"
    "  # action_answer_faq speaks kb/'s answer for the conversation's platform instead.\n"
)


class GeneratedPartMissing(ValueError):
    """domain.yml has no (or a broken) BEGIN/END pair of markers for the generated part."""


def faq_responses_text() -> str:
    """The generated part of domain.yml: the ``utter_faq/<key>`` responses, indented
    under ``responses:``, between the markers (markers included)."""
    dumped = yaml.safe_dump(domain_responses(), allow_unicode=True, sort_keys=False, width=1000)
    body = "".join(
        f"  {line}" if line.strip() else line for line in dumped.splitlines(keepends=True)
    )
    return BEGIN + NOTE + body + END


def with_generated_part(domain_text: str) -> str:
    """``domain_text`` with the part between the markers replaced by the current one."""
    start, end = domain_text.find(BEGIN), domain_text.find(END)
    if start < 0 or end < start or domain_text.count(BEGIN) != 1 or domain_text.count(END) != 1:
        raise GeneratedPartMissing(
            f"{DOMAIN.name} needs exactly one pair of markers:\n{BEGIN}{END}"
        )
    return domain_text[:start] + faq_responses_text() + domain_text[end + len(END) :]


def _userdict_text() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        return write_userdict(tmp).read_text(encoding="utf-8")


def build_all(*, check: bool = False) -> int:
    """Write (or with ``check``, compare) every generated file; 0 when all are current."""
    targets: dict[Path, str] = {
        DOMAIN: with_generated_part(DOMAIN.read_text(encoding="utf-8")),
        DICT_DIR / "jieru_userdict.txt": _userdict_text(),
    }
    stale = []
    for path, text in targets.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    for path in stale:
        print(
            f"out of date: {path.relative_to(PROJECT_ROOT)} (run `jieru kb build`)", file=sys.stderr
        )
    return 1 if stale else 0
