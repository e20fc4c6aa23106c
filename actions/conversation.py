"""What every action reads from the conversation the same way: language, channel, buttons."""

from __future__ import annotations

from rasa_sdk import Tracker

# The slot a form is asking for; Rasa's name for it.
REQUESTED_SLOT = "requested_slot"


def language_of(tracker: Tracker) -> str:
    """zh or en, as LanguageSlotPolicy keeps it; zh until the customer has written."""
    return tracker.get_slot("language") or "zh"


def channel_of(tracker: Tracker) -> str:
    """The input channel of the latest message (rest, socketio, twilio, wechat)."""
    return tracker.get_latest_input_channel() or "unknown"


def choice_payload(value: str) -> str:
    """A button payload that carries a value whatever the customer's language."""
    return f'/inform{{"choice": "{value}"}}'
