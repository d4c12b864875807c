"""Normalisation of buyers' text before tokenisation, without Rasa."""

from __future__ import annotations

from functools import lru_cache

import opencc

_FULLWIDTH_OFFSET = 0xFEE0  # U+FF01..U+FF5E are U+0021..U+007E shifted by this
_IDEOGRAPHIC_SPACE = "\u3000"


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _half_width_lower(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        ch = chr(code - _FULLWIDTH_OFFSET)
    elif ch == _IDEOGRAPHIC_SPACE:
        ch = " "
    return ch.lower() if ch.isascii() else ch


def normalize(text: str) -> str:
    """Simplified, half-width, lower-cased ``text`` of exactly the same length.

    Keeping the length lets offsets found in the normalised text point at the same
    characters of the original, so entities can be shown and stored as typed.
    """
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        # A phrase conversion changed the length: convert character by character.
        converted = "".join(
            c if len(c) == 1 else o for o, c in zip(text, map(_t2s().convert, text), strict=True)
        )
    return "".join(map(_half_width_lower, converted))


def is_chinese(ch: str) -> bool:
    """Whether ``ch`` is a Chinese character (CJK Unified Ideographs, the common block)."""
    return "\u4e00" <= ch <= "\u9fff"
