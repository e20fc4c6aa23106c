"""A satisfaction score (1-5) and an optional comment, from buttons or words, zh and en."""

from __future__ import annotations

import re
from typing import Optional

from actions.complaint.answers import has_words

SCORES = ("1", "2", "3", "4", "5")
# Checked in this order: "不满意" contains "满意", "not satisfied" contains "satisfied".
_SCORE_WORDS = (
    (1, r"非常不满意|很不满意|极差|terrible|awful|very (?:dis|un)satisfied|very bad"),
    (2, r"不满意|不太满意|差|dissatisfied|unsatisfied|not satisfied|\bbad\b|poor"),
    (3, r"一般|还行|凑合|so-so|\bok(?:ay)?\b|average|neutral"),
    (5, r"非常满意|很满意|超级满意|excellent|very satisfied|very good|perfect|great"),
    (4, r"满意|不错|挺好|\bgood\b|satisfied"),
)
_SCORE_DIGIT = re.compile(r"^\s*([1-5])\s*(?:分|星|stars?|/\s*5)?\s*[。.!！]?\s*$", re.IGNORECASE)
_NO_COMMENT = re.compile(r"^\s*(没有|没了|无|不用|不用了|算了|no|nope|none|nothing|no thanks|skip)"
                         r"[\s。！!.,，]*$", re.IGNORECASE)
# "88" and "886" are Chinese for bye-bye (8 is ba, 6 is le): a goodbye, not a number.
_BYE_BYE = re.compile(r"^\s*886?\s*[~～!！。.…啦了呀哦喔]*\s*$")
# Emoji say how the customer felt ("👍", "😡"): a comment too, unlike bare punctuation.
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]")
MAX_COMMENT = 2000


def read_score(text: str, choice: Optional[str]) -> Optional[int]:
    if choice in SCORES:
        return int(choice)
    digit = _SCORE_DIGIT.match(text)
    if digit:
        return int(digit.group(1))
    for score, pattern in _SCORE_WORDS:
        if re.search(pattern, text, re.IGNORECASE):
            return score
    return None


def read_comment(text: str) -> Optional[str]:
    """The comment, or None when the customer has nothing to add."""
    if _NO_COMMENT.match(text) or not (has_words(text) or _EMOJI.search(text)):
        return None
    return text.strip()[:MAX_COMMENT]


def says_bye_bye(text: str) -> bool:
    """"88", "886", "88~": goodbye in digits."""
    return bool(_BYE_BYE.match(text))
