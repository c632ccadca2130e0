"""The order in which a reader of a language expects a list of names: pinyin for Chinese.

Chinese names sorted by code point follow no order a reader knows (零 after 注); a Chinese index
is ordered by pinyin, syllable by syllable, then by tone. Other languages: case-folded text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def sort_key(lang: str) -> Callable[[str], Any]:
    """A key function that orders names as readers of LANG expect."""
    if lang.split("-")[0].lower() == "zh":
        return _pinyin_key
    return _casefold_key


def _casefold_key(text: str) -> tuple[str, str]:
    return text.casefold(), text


@functools.lru_cache(maxsize=8192)
def _pinyin_key(text: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    # Imported here: loading its dictionaries takes a third of a second, and only a Chinese
    # index needs them.
    from pypinyin import Style, lazy_pinyin

    # Latin letters and digits come through as they are; each Chinese character is a syllable.
    plain = tuple(s.strip().casefold() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default"))
    tones = tuple(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))
    return plain, tones, text
