"""How a text travels by SMS: GSM-7 or UCS-2, and the parts a long reply is split into.

The rules are the handsets' (3GPP TS 23.038 and 23.040): a text made only of GSM-7
characters fits 160 septets in one message and 153 in each part of a longer one (the
concatenation header takes the rest); characters of the GSM-7 extension table (`€ [ ] { } ^ ~
| \\` and form feed) take two septets. Anything else (Chinese, emoji, curly quotes) sends the
whole text as UCS-2: 70 UTF-16 code units in one message, 67 per part, and a character outside
the Basic Multilingual Plane (most emoji) takes two units, a surrogate pair that must not be cut.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import List

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as ESC + character: two septets each.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# Where a part may end, best first: after a line, after a sentence or clause, after a space.
_BREAK_AFTER = ("\n", "。！？!?；;", "，,、：: \t")
# A break is looked for only in the last third of a part, so parts stay close to full.
_BREAK_WINDOW = 3


@dataclass(frozen=True)
class Encoding:
    name: str
    single_limit: int  # units in a message sent whole
    part_limit: int  # units in each part of a concatenated message


GSM7 = Encoding("GSM-7", 160, 153)
UCS2 = Encoding("UCS-2", 70, 67)


def _whole_code_points(text: str) -> str:
    """Join surrogate pairs that reached us as two code points into one character."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def encoding_of(text: str) -> Encoding:
    is_gsm = all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)
    return GSM7 if is_gsm else UCS2


def units(text: str, encoding: Encoding) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes."""
    if encoding is GSM7:
        return sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _joins_previous(char: str, previous: str) -> bool:
    """True when `char` belongs to the same visible character as the one before it."""
    code = ord(char)
    return bool(
        unicodedata.category(char) in ("Mn", "Mc", "Me")  # combining accents and marks
        or char in "\u200d\ufe0e\ufe0f"  # zero-width joiner, variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters of flag sequences
        or previous.endswith("\u200d")  # the next emoji of a ZWJ sequence
        or (_is_regional_indicator(char) and len(previous) == 1
            and _is_regional_indicator(previous))  # the second letter of a flag
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def clusters(text: str) -> List[str]:
    """The text as user-perceived characters, so that no part ends inside an emoji or accent."""
    grouped: List[str] = []
    for char in _whole_code_points(text):
        if grouped and _joins_previous(char, grouped[-1]):
            grouped[-1] += char
        else:
            grouped.append(char)
    return grouped


def segment_count(text: str) -> int:
    """How many SMS the text costs when sent as one concatenated message."""
    text = _whole_code_points(text)
    encoding = encoding_of(text)
    total = units(text, encoding)
    if total <= encoding.single_limit:
        return 1 if total else 0
    return -(-total // encoding.part_limit)


def split_sms(text: str) -> List[str]:
    """The text in parts that each fit one segment of a concatenated SMS.

    A text that fits one message is returned whole. Longer texts are cut at a line, sentence,
    clause or word boundary when one lies in the last third of a part, otherwise between two
    characters (never inside a surrogate pair, an extension character or a combined emoji);
    whitespace at a cut is dropped.
    """
    text = _whole_code_points(text)
    if not text.strip():
        return []
    encoding = encoding_of(text)
    if units(text, encoding) <= encoding.single_limit:
        return [text]
    pieces = clusters(text)
    parts: List[str] = []
    start = 0
    while start < len(pieces):
        while start < len(pieces) and pieces[start].isspace():
            start += 1  # no part starts with the whitespace of a cut
        end, used = start, 0
        while end < len(pieces) and used + units(pieces[end], encoding) <= encoding.part_limit:
            used += units(pieces[end], encoding)
            end += 1
        if end == start and start < len(pieces):
            # A single cluster longer than a part (hundreds of combining marks): cut it by
            # code point, still never inside a surrogate pair.
            parts.extend(_split_code_points(pieces[start], encoding))
            start += 1
            continue
        if end < len(pieces):
            end = _break_point(pieces, start, end)
        part = "".join(pieces[start:end]).rstrip()
        if part:
            parts.append(part)
        start = end
    return parts


def _break_point(pieces: List[str], start: int, end: int) -> int:
    earliest = end - max(1, (end - start) // _BREAK_WINDOW)
    for characters in _BREAK_AFTER:
        for cut in range(end, earliest, -1):
            if len(pieces[cut - 1]) == 1 and pieces[cut - 1] in characters:
                return cut
    return end


def _split_code_points(cluster: str, encoding: Encoding) -> List[str]:
    parts, current, used = [], "", 0
    for char in cluster:
        size = units(char, encoding)
        if used + size > encoding.part_limit:
            parts.append(current)
            current, used = "", 0
        current += char
        used += size
    return [*parts, current] if current else parts
