"""action_handoff_choice: with no agent available, the customer takes a callback or waits, by
button or in their own words; a no withdraws the request, anything else asks again."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import channel_of, language_of
from actions.handoff_answers import WITHDRAWING_INTENTS, typed_choice
from actions.handoff_client import HandoffUnavailable, cancel_handoff
from actions.handoff_context import summarise, transcript_from_events
from actions.identity.profile import linked_customer
from actions.settings import load_settings
from actions.store.database import database_url, session_factory
from actions.tickets.open_callback import CALLBACK_SLA, OpenCallback

logger = logging.getLogger(__name__)

HANDOFF_OFFER = "handoff_offer"
CALLBACK_HOURS = int(CALLBACK_SLA.total_seconds() // 3600)


class ActionHandoffChoice(Action):
    def name(self) -> str:
        return "action_handoff_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        latest = tracker.latest_message or {}
        choice = next(tracker.get_latest_entity_values("choice"), None) \
            or typed_choice(latest.get("text") or "")
        intent = (latest.get("intent") or {}).get("name")
        done: List[EventType] = [SlotSet(HANDOFF_OFFER, None)]
        if choice is None and intent in WITHDRAWING_INTENTS:
            await _leave_queue(tracker.sender_id)
            dispatcher.utter_message(response="utter_handoff_withdrawn")
            return done
        if choice is None:
            # "ok", "好的": which of the two is not said; the buttons again.
            dispatcher.utter_message(response="utter_handoff_choose")
            return []
        if choice != "callback":
            dispatcher.utter_message(response="utter_handoff_keep_waiting")
            return [*done, ConversationPaused()]
        ticket, by_phone = await asyncio.to_thread(_open_callback, tracker)
        # The callback stands even if this fails; an agent who picks the chat up sees the ticket.
        await _leave_queue(tracker.sender_id)
        # A phone call needs a number: the verified customer's, or the SMS sender's own.
        dispatcher.utter_message(
            response="utter_callback_booked" if by_phone else "utter_callback_booked_here",
            ticket_number=ticket, callback_hours=CALLBACK_HOURS)
        return done


async def _leave_queue(sender_id: str) -> None:
    try:
        await cancel_handoff(sender_id, load_settings())
    except HandoffUnavailable as error:
        logger.error("handoff.cancel_failed reason=%s", error)


def _open_callback(tracker: Tracker) -> tuple[str, bool]:
    """The ticket's number, and whether the bank can phone the customer."""
    sessions = session_factory(database_url())
    channel = channel_of(tracker)
    customer = linked_customer(sessions, channel, tracker.sender_id)
    said = [line for line in transcript_from_events(tracker.events)
            if not line["text"].startswith("/")]  # button payloads say nothing to an agent
    by_phone = bool(customer and customer.phone) or channel == "sms"
    ticket = OpenCallback(sessions)(
        channel=channel, sender_id=tracker.sender_id, language=language_of(tracker),
        summary=summarise(said, "callback"), customer_id=customer.id if customer else None,
        priority="high" if customer and customer.is_key_customer else "normal",
        contact_preference="phone" if by_phone else "this_channel")
    return ticket.number, by_phone
