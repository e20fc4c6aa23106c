"""action_session_start: Rasa's session start, plus who the customer is.

A sender verified before (on this channel) starts known; if their handoff begun on another
channel is still open, this conversation joins it and the bot stays quiet, so the agent
carries on here. A phone that was texted a complaint's outcome lately starts waiting for the
verdict on it (bot/outcome_question.py), so that a plain "接受" or "no" answers it.
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
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation import session_channel
from actions.handoff_client import HandoffUnavailable, join_open_handoff
from actions.identity.profile import linked_customer
from actions.profile_form import customer_slots
from actions.settings import load_settings
from actions.store.database import database_url, session_factory
from actions.store.models import utc_now
from actions.tickets.contact import SMS_CHANNEL
from actions.tickets.texted import awaiting_texted_verdict
from bot.outcome_question import REPLY_WINDOW, question_events
from bot.pii import mask_pii

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
        paused = False
        if customer is not None:
            events += customer_slots(customer)
            paused = await joined_open_handoff(tracker.sender_id, customer.customer_number,
                                               channel)
            if paused:
                events.append(ConversationPaused())
        if channel == SMS_CHANNEL and not paused:  # with an agent, the agent reads the answer
            events += await texted_outcome_question(tracker.sender_id)
        return [*events, ActionExecuted("action_listen")]


def carried_over(tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
    """The slots Rasa's own session start carries over (when the domain says so), and
    always the metadata the session started with."""
    carry = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True)
    return [SlotSet(name, value) for name, value in tracker.slots.items()
            if value is not None and (carry or name == METADATA_SLOT)]


async def texted_outcome_question(phone: str) -> List[EventType]:
    """The question the outcome last texted to this phone asked, when it went within
    REPLY_WINDOW and the ticket still awaits the verdict; nothing otherwise (or when the
    tickets cannot be read: logged, and the number in the text still works)."""
    try:
        number = await asyncio.to_thread(awaiting_texted_verdict, session_factory(database_url()),
                                         phone, utc_now() - REPLY_WINDOW)
    except SQLAlchemyError as error:
        logger.error("session_start.outcome_unknown sender=%s error=%s", mask_pii(phone),
                     type(error).__name__)
        return []
    if number is None:
        return []
    logger.info("session_start.outcome_question ticket=%s sender=%s", number, mask_pii(phone))
    return question_events(number)


async def joined_open_handoff(sender_id: str, customer_number: str, channel: str) -> bool:
    try:
        return await join_open_handoff(sender_id, customer_number, channel, load_settings())
    except HandoffUnavailable as error:
        # The customer is served by the bot meanwhile; the agent keeps the other channel.
        logger.error("session_start.join_failed reason=%s", error)
        return False
