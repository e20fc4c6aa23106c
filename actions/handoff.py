"""action_handoff: queue the conversation for a human agent and pause the bot."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import channel_of, language_of
from actions.handoff_choice import CALLBACK_HOURS, HANDOFF_OFFER
from actions.handoff_client import HandoffUnavailable, request_handoff
from actions.handoff_context import (
    REASON_BOT_REQUEST,
    REASON_CUSTOMER_REQUEST,
    build_handoff_context,
)
from actions.handoff_customer import customer_context
from actions.settings import load_settings
from actions.store.database import database_url, session_factory

logger = logging.getLogger(__name__)

# Why the bot hands over, by the intent that led there, and which reasons go first.
HANDOFF_REASONS = {
    "human_handoff": REASON_CUSTOMER_REQUEST,
    # Yes to the bot's "would you like a colleague?" (data/rules/handoff.yml, queue_status).
    "affirm": REASON_CUSTOMER_REQUEST,
    "card_stolen": "stolen_card",
    "fraud_report": "fraud",
    "complaint": "complaint",
    "ticket_status": "ticket_status",
    "profile_update": "profile_update",
    "request_relationship_manager": "relationship_manager",
}
URGENT_REASONS = frozenset({"stolen_card", "fraud"})


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        reason = handoff_reason(tracker.latest_message.get("intent", {}).get("name"))
        return await hand_over(dispatcher, tracker, reason, handoff_priority(reason))


async def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, priority: str
) -> List[EventType]:
    """Queue the conversation with its context, tell the customer, pause the bot."""
    context = build_handoff_context(
        conversation_id=tracker.sender_id,
        channel=channel_of(tracker),
        language=language_of(tracker),
        reason=reason,
        priority=priority,
        events=tracker.events,
        entities=tracker.latest_message.get("entities", []),
    )
    # Who the customer is (when verified) and what is open: the agent need not ask again.
    customer, tickets = await asyncio.to_thread(
        customer_context, session_factory(database_url()), channel_of(tracker), tracker.sender_id)
    context["customer"] = customer
    context["open_tickets"] = tickets
    try:
        queued = await request_handoff(context, load_settings())
    except HandoffUnavailable as error:
        logger.error("handoff.request_failed reason=%s", error)
        dispatcher.utter_message(response="utter_handoff_unavailable")
        return []
    if queued.get("joined_conversation_id"):
        # Their open handoff on another channel continues here; the service says so.
        return [ConversationPaused()]
    closed = not queued.get("within_agent_hours", True)
    if closed or not queued.get("agents_on_shift", 1):
        # Nobody can answer soon (closed, or no agent on shift): offer a callback; the bot
        # stays on to take the choice.
        dispatcher.utter_message(
            response="utter_handoff_closed" if closed else "utter_handoff_no_agents",
            queue_position=queued["queue_position"], callback_hours=CALLBACK_HOURS,
            agent_hours=queued.get("agent_hours", ""))
        return [SlotSet(HANDOFF_OFFER, "callback")]
    minutes = queued.get("estimated_wait_minutes")
    if minutes is None:
        # Agents on shift, none online who could take it: no honest figure to give.
        dispatcher.utter_message(response="utter_handoff_queued_no_estimate",
                                 queue_position=queued["queue_position"])
    else:
        dispatcher.utter_message(response="utter_handoff_queued",
                                 queue_position=queued["queue_position"], wait_minutes=minutes)
    return [ConversationPaused()]


def handoff_reason(latest_intent: str | None) -> str:
    return HANDOFF_REASONS.get(latest_intent or "", REASON_BOT_REQUEST)


def handoff_priority(reason: str) -> str:
    return "urgent" if reason in URGENT_REASONS else "normal"
