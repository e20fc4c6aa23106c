"""Running a form's validation action on one message, as the action server would."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

SlotsAndResponses = Tuple[Dict[str, Any], List[Optional[str]]]


def run_validation(action: Action, form: str, slots: Dict[str, Any], text: str,
                   intent: Optional[str], confidence: float) -> SlotsAndResponses:
    """The slots `action` sets and the responses it sends for `text`, read by the NLU as
    `intent` at `confidence`, while `form` is active with `slots` filled."""
    tracker = Tracker(
        "customer", slots,
        {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
        [], False, None, {"name": form}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return ({e["name"]: e["value"] for e in events if e.get("event") == "slot"},
            [message.get("response") for message in dispatcher.messages])
