"""action_queue_status: "还要等多久？" while a callback or the wait is offered.

A customer waiting for an agent has a paused bot, and the handoff service answers them
(handoff/relay.py); this runs only while the bot still listens for the callback-or-wait
choice, so it gives the place, the wait if there is one, and the choice again.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_choice import HANDOFF_OFFER
from actions.handoff_client import HandoffUnavailable, handoff_status
from actions.settings import load_settings

logger = logging.getLogger(__name__)

WITH_AN_AGENT = ("assigned", "active")


class ActionQueueStatus(Action):
    def name(self) -> str:
        return "action_queue_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        try:
            handoff = await handoff_status(tracker.sender_id, load_settings())
        except HandoffUnavailable as error:
            logger.error("handoff.status_failed reason=%s", error)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return []
        status = handoff["status"] if handoff else None
        if handoff is None or status not in ("queued", *WITH_AN_AGENT):
            # Cancelled or resolved meanwhile: nothing is offered any more.
            dispatcher.utter_message(response="utter_queue_status_not_waiting")
            return [SlotSet(HANDOFF_OFFER, None)]
        if status in WITH_AN_AGENT:
            dispatcher.utter_message(response="utter_queue_status_agent_coming")
            return []
        minutes = handoff["estimated_wait_minutes"]
        if minutes is None:
            dispatcher.utter_message(response="utter_queue_status_offer",
                                     queue_position=handoff["queue_position"])
        else:
            dispatcher.utter_message(response="utter_queue_status_offer_estimate",
                                     queue_position=handoff["queue_position"],
                                     wait_minutes=minutes)
        return []
