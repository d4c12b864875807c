"""The README's instructions for host sites hold: its Python token example makes tokens
the channels accept, and its table of widget options is the set the widget reads."""

from __future__ import annotations

import re

import pytest

from jieru.auth import AuthError, verify_token
from jieru.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[
    README.index("**Embedding it in a host site.**") : README.index("**Evidence files**")
]


def test_the_python_example_issues_a_token_the_widget_channel_accepts(monkeypatch):
    [code] = [b for b in re.findall(r"```python\n(.*?)```", SECTION, re.S) if "jieru_token" in b]
    monkeypatch.setenv("JIERU_APP_JWT_SECRET", "a-host-sites-secret-of-32-bytes-or-more")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (the project's own README)
    token = namespace["jieru_token"]("b1001")
    assert verify_token(token) == "b1001"
    with pytest.raises(AuthError, match="bad_signature"):
        verify_token(token, secret="another-secret-another-secret-xx")


def test_the_options_table_lists_what_the_widget_reads():
    source = (PROJECT_ROOT / "web/widget/src/index.js").read_text(encoding="utf-8")
    read = set(re.findall(r"\bconfig\.([a-zA-Z]+)", source))
    table = SECTION[SECTION.index("| key |") :]
    documented = set(re.findall(r"^\| `(\w+)`(?:, `(\w+)`)?", table, re.M))
    keys = {k for pair in documented for k in pair if k}
    assert keys == read
