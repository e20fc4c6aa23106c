"""action_session_start: Rasa's session start, plus who the customer is.

A sender verified before (on this channel) starts known; if their handoff begun on another
channel is still open, this conversation joins it and the bot stays quiet, so the agent
carries on here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ConversationPaused,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import session_channel
from actions.handoff_client import HandoffUnavailable, join_open_handoff
from actions.identity.profile import linked_customer
from actions.profile_form import customer_slots
from actions.settings import load_settings
from actions.store.database import database_url, session_factory

logger = logging.getLogger(__name__)

METADATA_SLOT = "session_started_metadata"


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted(), *carried_over(tracker, domain)]
        channel = session_channel(tracker)
        customer = await asyncio.to_thread(
            linked_customer, session_factory(database_url()), channel, tracker.sender_id)
        logger.info("session_start channel=%s known=%s", channel, customer is not None)
        if customer is not None:
            events += customer_slots(customer)
            if await joined_open_handoff(tracker.sender_id, customer.customer_number, channel):
                events.append(ConversationPaused())
        return [*events, ActionExecuted("action_listen")]


def carried_over(tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
    """The slots Rasa's own session start carries over (when the domain says so), and
    always the metadata the session started with."""
    carry = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True)
    return [SlotSet(name, value) for name, value in tracker.slots.items()
            if value is not None and (carry or name == METADATA_SLOT)]


async def joined_open_handoff(sender_id: str, customer_number: str, channel: str) -> bool:
    try:
        return await join_open_handoff(sender_id, customer_number, channel, load_settings())
    except HandoffUnavailable as error:
        # The customer is served by the bot meanwhile; the agent keeps the other channel.
        logger.error("session_start.join_failed reason=%s", error)
        return False
