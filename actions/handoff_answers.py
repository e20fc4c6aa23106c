"""What a customer types, instead of pressing a button, when offered a callback or the wait."""

from __future__ import annotations

import re
from typing import Optional

from actions.complaint.answers import latin_words

_CALLBACK = re.compile(
    r"回电|回拨|打电话给我|给我打电话|致电|联系我|回复我|"
    + latin_words(r"call\s+me|call\s*backs?|ring\s+me|phone\s+me|get\s+back\s+to\s+me"),
    re.IGNORECASE)
_NOT_WAITING = re.compile(
    r"(不|别|不想|不要|不用|不能|没法|懒得)(再)?(继续)?等|"
    + latin_words(r"(don'?t|do\s+not|can'?t|cannot|won'?t|not)\s+(want\s+to\s+)?wait"),
    re.IGNORECASE)
_WAITING = re.compile(r"等|排队|" + latin_words(r"wait|hold\s+on|queue"), re.IGNORECASE)
# A no or a cancel without either choice: the customer no longer wants a person.
WITHDRAWING_INTENTS = ("deny", "cancel", "goodbye")


def typed_choice(text: str) -> Optional[str]:
    """"callback" or "wait" for the words of either button ("请回电", "I'll wait", "我等着"),
    None when the text names neither ("不等了" is no wait)."""
    if _CALLBACK.search(text):
        return "callback"
    if _WAITING.search(text) and not _NOT_WAITING.search(text):
        return "wait"
    return None
