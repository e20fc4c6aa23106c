"""Masking of personal data (card, ID and phone numbers, e-mail) in text.

Used on every log line (PiiMaskingFilter) and on transcripts sent to agents,
who need to see what was said but not full card or ID numbers.
"""

from __future__ import annotations

import logging
import re

from bot.nlu.entity_rules import LANDLINE_PATTERN

# A mainland resident ID: 17 digits and a check character.
_RESIDENT_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
# Card numbers: 13-19 digits, plain or in groups of four separated by a space or dash;
# not after "." (the digits of a float) nor next to "-" (ids such as Redis stream ids).
_CARD = re.compile(r"(?<![\d.-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?)(?![\d-])")
# Mainland mobiles (optionally +86) and other international numbers.
_PHONE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d{9}(?!\d)|(?<![\d+])\+\d{8,15}(?!\d)")
# Mainland landlines ("021-62345678", "（0755）8765 4321转123"), after mobiles and before cards.
_LANDLINE = re.compile(LANDLINE_PATTERN, re.IGNORECASE)
# A message that is only six digits answers the one-time code question: agents never see it.
_ONE_TIME_CODE = re.compile(r"\s*\d{6}\s*")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")


# JSON log renderers write non-ASCII as \\uXXXX, which hides where a number starts.
_SURROGATE_PAIR_ESCAPE = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.I)
_BMP_ESCAPE = re.compile(r"\\u((?!d[89a-f])[0-9a-f]{4})", re.I)


def unescape_unicode(text: str) -> str:
    """Turn \\uXXXX escapes (and surrogate pairs) back into the characters they stand for."""
    text = _SURROGATE_PAIR_ESCAPE.sub(
        lambda pair: (chr(int(pair.group(1), 16)) + chr(int(pair.group(2), 16)))
        .encode("utf-16", "surrogatepass")
        .decode("utf-16"),
        text,
    )
    return _BMP_ESCAPE.sub(lambda escape: chr(int(escape.group(1), 16)), text)


def _keep_last_four(match: re.Match[str]) -> str:
    characters = re.sub(r"[ -]", "", match.group(0))
    return "*" * (len(characters) - 4) + characters[-4:]


def _mask_phone(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:-8] + "****" + number[-4:]


def _mask_landline(match: re.Match[str]) -> str:
    # The area code and the last four digits stay: enough to tell two numbers apart.
    local = re.sub(r"[-\s]", "", match.group(2))
    return f"{match.group(1)}-****{local[-4:]}"


# A phone number where a card number could also be read ("+8613800138001" has 13 digits).
_PHONE_OR_CARD = re.compile(f"(?P<phone>{_PHONE.pattern})|{_CARD.pattern}")


def mask_account_numbers(text: str) -> str:
    """Card and ID numbers reduced to their last four digits, phone numbers and e-mail
    addresses left as they are: text written for the customer, sent by SMS or e-mail."""
    text = _RESIDENT_ID.sub(_keep_last_four, text)
    return _PHONE_OR_CARD.sub(
        lambda match: match.group(0) if match.group("phone") else _keep_last_four(match), text)


def mask_pii(text: str) -> str:
    """The text with ID and card numbers reduced to their last four digits,
    phone numbers to their prefix and last four, e-mail addresses to initial and domain, and a
    message that is only a one-time code to asterisks."""
    if _ONE_TIME_CODE.fullmatch(text):
        return "******"
    text = _RESIDENT_ID.sub(_keep_last_four, text)
    text = _PHONE.sub(_mask_phone, text)
    text = _LANDLINE.sub(_mask_landline, text)
    text = _CARD.sub(_keep_last_four, text)
    return _EMAIL.sub(r"\1***\2", text)


class PiiMaskingFilter(logging.Filter):
    """A handler filter that masks personal data in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(unescape_unicode(message))
        if masked != message:
            record.msg, record.args = masked, None
        return True
