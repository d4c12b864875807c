"""jieru.kb.load_parsed: one parsed object per version of a kb/ file."""

from __future__ import annotations

import os
from pathlib import Path

from jieru.kb.lexicon import LEXICON_FILE, load_lexicon


def test_the_lexicon_is_parsed_once_until_its_file_changes(kb_copy: Path) -> None:
    first = load_lexicon()
    assert load_lexicon() is first

    path = kb_copy / LEXICON_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    later = path.stat().st_mtime_ns + 10**9  # a second on: coarse file clocks still differ
    os.utime(path, ns=(later, later))

    again = load_lexicon()
    assert again is not first
    assert again == first
