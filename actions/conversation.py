"""What every action reads from the conversation the same way: language, channel, whose
tickets it may see, buttons."""

from __future__ import annotations

from typing import Optional, Tuple

from rasa_sdk import Tracker

# The slot a form is asking for; Rasa's name for it.
REQUESTED_SLOT = "requested_slot"


def language_of(tracker: Tracker) -> str:
    """zh or en, as LanguageSlotPolicy keeps it; zh until the customer has written."""
    return tracker.get_slot("language") or "zh"


def channel_of(tracker: Tracker) -> str:
    """The input channel of the latest message (rest, socketio, twilio, wechat)."""
    return tracker.get_latest_input_channel() or "unknown"


def owner_of(tracker: Tracker) -> Tuple[str, str, Optional[int]]:
    """Whose tickets the conversation may see: this channel's sender, and a customer verified
    by a one-time code, who sees their tickets from every channel."""
    customer_id = tracker.get_slot("customer_id")
    return channel_of(tracker), tracker.sender_id, int(customer_id) if customer_id else None


def session_channel(tracker: Tracker) -> str:
    """The channel a session starts on: the channel's own metadata (a new conversation has
    no message yet), else the latest message's."""
    metadata = tracker.get_slot("session_started_metadata") or {}
    named = metadata.get("input_channel") if isinstance(metadata, dict) else None
    return str(named) if named else channel_of(tracker)


def choice_payload(value: str) -> str:
    """A button payload that carries a value whatever the customer's language."""
    return f'/inform{{"choice": "{value}"}}'
