"""Which language a customer's message is written in (zh or en)."""

from __future__ import annotations

import re
from typing import Literal, Optional

Language = Literal["zh", "en"]
SUPPORTED_LANGUAGES: tuple[Language, ...] = ("zh", "en")

# CJK unified ideographs, extension A and compatibility ideographs.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def contains_han(text: str) -> bool:
    return _HAN.search(text) is not None


def detect_language(text: str) -> Optional[Language]:
    """Return "zh" or "en", or None when the text carries no linguistic signal.

    Mixed messages ("我的card丢了") are Chinese as soon as Han characters make
    up a fair share of the words: a Chinese speaker sprinkles English terms,
    rarely the other way round.
    """
    han_count = len(_HAN.findall(text))
    latin_word_count = len(_LATIN_WORD.findall(text))
    if han_count == 0 and latin_word_count == 0:
        return None
    # Two Han characters carry about as much as one English word.
    if han_count >= 2 or (han_count and han_count / 2 >= latin_word_count / 3):
        return "zh"
    return "en"
