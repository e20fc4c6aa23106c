"""Long digit runs as shape words, for featurisation only.

A card number, phone number, ID number or amount is new to the classifier every time,
and its digit n-grams match whatever digits the training data happened to hold (ticket
numbers, amounts): "我的卡被盗刷了，卡号6222021234567890123" read as ticket_status. The
featurizers therefore see one word per shape instead (a card, phone, ID or ticket number, a
date, another number). Numbers of one to three digits stay as written: they are
often words ("88" is goodbye, "分12期"). The message's text, and the entities found in it,
are untouched; `ShapedText` maps shaped offsets back to the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

# Alternatives in priority order: at one position the first that matches wins.
_SHAPES = re.compile(
    r"(?P<ticket>(?<![A-Za-z0-9])KF-\d{8}-\d{5}(?!\d))"
    # 18-character resident ID: region, birth date 19xx/20xx, sequence, check digit.
    r"|(?P<id>(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![\dA-Za-z]))"
    # 16-19 digits, in groups of four or not, or masked (6222********0123).
    r"|(?P<card>(?<!\d)(?:\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?|\d{4,6}[*xX]{4,}\d{4})(?!\d))"
    r"|(?P<phone>(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d))"
    r"|(?P<date>(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}/\d{1,2}/\d{4})(?!\.?\d))"
    r"|(?P<number>(?<![\d.])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{4,})(?!\.?\d))",
    re.IGNORECASE,
)

_DIGIT = re.compile(r"\d")
# For the sparse featurizers: made-up words, so that a zh message with a phone number is not
# drawn to English examples with "phone" in them by shared character n-grams.
SHAPE_WORDS: Dict[str, str] = {
    "ticket": "zqtk", "id": "zqid", "card": "zqcd", "phone": "zqph", "date": "zqdt",
    "number": "zqnm",
}
# For the sentence encoder, which knows what these words mean.
SHAPE_PHRASES: Dict[str, str] = {
    "ticket": "ticket number", "id": "ID number", "card": "card number",
    "phone": "phone number", "date": "date", "number": "amount",
}
NO_PHRASES: Dict[str, str] = {shape: "" for shape in SHAPE_PHRASES}


@dataclass(frozen=True)
class ShapedText:
    """`text` with digit shapes as words; each of its characters knows its original span."""

    text: str
    starts: Tuple[int, ...]
    ends: Tuple[int, ...]

    def original_span(self, start: int, end: int) -> Tuple[int, int]:
        """The span of the original text that shaped characters [start, end) came from."""
        return self.starts[start], self.ends[end - 1]


def shape_digits(text: str, words: Optional[Dict[str, str]] = None) -> ShapedText:
    """Replace each digit shape by its word, padded with spaces so that it stays one token."""
    pieces = []
    starts = []
    ends = []
    position = 0
    for match in _SHAPES.finditer(text):
        pieces.append(text[position:match.start()])
        starts.extend(range(position, match.start()))
        ends.extend(range(position + 1, match.start() + 1))
        word = f" {(words or SHAPE_WORDS)[match.lastgroup or 'number']} "
        pieces.append(word)
        starts.extend([match.start()] * len(word))
        ends.extend([match.end()] * len(word))
        position = match.end()
    pieces.append(text[position:])
    starts.extend(range(position, len(text)))
    ends.extend(range(position + 1, len(text) + 1))
    return ShapedText("".join(pieces), tuple(starts), tuple(ends))


def shaped(text: str, words: Optional[Dict[str, str]] = None) -> str:
    """The text the featurizers read."""
    return shape_digits(text, words).text if has_digits(text) else text


def has_digits(text: str) -> bool:
    return _DIGIT.search(text) is not None


def numbers_only(text: str) -> bool:
    """Digits with no word around them ("6222", "￥300", "+86 138 0013 8001"): data, not a
    request. Any letter (Latin, Han, …) makes it a sentence: "300元", "KF-20261128-00001"."""
    normalised = unicodedata.normalize("NFKC", text)
    return has_digits(normalised) and not any(
        unicodedata.category(character).startswith("L") for character in normalised)


def number_key(text: str) -> str:
    """A numbers-only text as compared with the training data's ("８８ " and "88" alike)."""
    return "".join(unicodedata.normalize("NFKC", text).split())
