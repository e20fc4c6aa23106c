"""Which conversation ids a customer may choose.

The conversation id is the tracker's key, so a channel whose callers choose their own id
(REST, the web page's session id) must never be able to take another channel's: ids that
kefu's channels assert themselves are a phone number ("+8613800138000", SMS) or carry
their channel before a colon ("wechat:…"). A chosen id may not start with "+" or hold ":".
"""

from __future__ import annotations

from typing import Optional

RESERVED_PREFIX = "+"
NAMESPACE_SEPARATOR = ":"


def chosen_id_problem(sender_id: str) -> Optional[str]:
    """Why a caller may not use this id, or None when they may."""
    if sender_id.startswith(RESERVED_PREFIX):
        return "may not start with '+' (phone numbers are the SMS channel's)"
    if NAMESPACE_SEPARATOR in sender_id:
        return "may not contain ':' (reserved for channel-assigned ids)"
    return None
