"""Running a form's validation action on one message, as the action server would."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

SlotsAndResponses = Tuple[Dict[str, Any], List[Optional[str]]]


def run_validation(action: Action, form: str, slots: Dict[str, Any], text: str,
                   intent: Optional[str], confidence: float, sender_id: str = "customer",
                   input_channel: Optional[str] = None,
                   entities: Optional[Dict[str, str]] = None) -> SlotsAndResponses:
    """The slots `action` sets and the responses it sends for `text`, read by the NLU as
    `intent` at `confidence` with `entities` (name: value), while `form` is active with
    `slots` filled; the message came from `sender_id` on `input_channel`."""
    found = [{"entity": name, "value": value} for name, value in (entities or {}).items()]
    tracker = Tracker(
        sender_id, slots,
        {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": found},
        [{"event": "user", "text": text, "input_channel": input_channel}]
        if input_channel else [],
        False, None, {"name": form}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return ({e["name"]: e["value"] for e in events if e.get("event") == "slot"},
            [message.get("response") for message in dispatcher.messages])
