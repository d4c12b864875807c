"""Files generated from kb/ and committed beside the bot: the jieba user dictionary
(bot/dicts/) and the ``utter_faq/<key>`` responses (domain/faq.yml).

``jieru kb build`` rewrites them; ``--check`` (run by the tests) fails when kb/ has
changed and they were not rebuilt.
"""
from __future__ import annotations

import sys
import tempfile

import yaml

from jieru.config import PROJECT_ROOT
from jieru.kb.faq import domain_responses
from jieru.kb.lexicon import write_userdict

DICT_DIR = PROJECT_ROOT / "bot" / "dicts"
FAQ_DOMAIN = PROJECT_ROOT / "domain" / "faq.yml"
HEADER = "# Generated from kb/faq by `jieru kb build`: edit kb/, not this file.\n"


def _faq_domain_text() -> str:
    body = {"version": "3.1", "responses": domain_responses()}
    return HEADER + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)


def _userdict_text() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        return write_userdict(tmp).read_text(encoding="utf-8")


def build_all(*, check: bool = False) -> int:
    """Write (or with ``check``, compare) every generated file; 0 when all are current."""
    targets = {
        FAQ_DOMAIN: _faq_domain_text(),
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
        print(f"out of date: {path.relative_to(PROJECT_ROOT)} (run `jieru kb build`)", file=sys.stderr)
    return 1 if stale else 0
