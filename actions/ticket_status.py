"""action_ticket_status: a ticket by its number, or the customer's recent tickets; one that
awaits the customer's verdict on its outcome is asked about (actions/ticket_outcome.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.complaint import fields
from actions.complaint.summary import local_time
from actions.conversation import channel_of, language_of, owner_of
from actions.store.database import database_url, session_factory
from actions.ticket_outcome import NEXT, ask_for_verdict, stated_verdict, tell_verdict_recorded
from actions.tickets.lookup import TicketLookup
from actions.tickets.records import TicketView
from bot.pii import mask_pii

logger = logging.getLogger(__name__)

STATUS_LABELS = {
    "open": {"zh": "已受理，正在处理", "en": "received and being handled"},
    "in_progress": {"zh": "处理中", "en": "being handled"},
    "resolved": {"zh": "已办结，待您确认", "en": "resolved, awaiting your confirmation"},
    "closed": {"zh": "已办结", "en": "closed"},
    "reopened": {"zh": "重新处理中", "en": "reopened and being handled again"},
}


def ticket_line(ticket: TicketView, language: str) -> str:
    category = fields.label(fields.CATEGORY, ticket.category, language)
    status = STATUS_LABELS.get(ticket.status, {}).get(language, ticket.status)
    due = local_time(ticket.sla_due_at, language)
    if language == "zh":
        return f"{ticket.number}（{category}）：{status}，最迟答复时间 {due}"
    return f"{ticket.number} ({category}): {status}; reply due by {due}"


async def awaiting_verdict(tracker: Tracker) -> Optional[TicketView]:
    """The customer's one ticket that awaits their verdict on its outcome; None when there is
    none, several, or the tickets cannot be read now (logged)."""
    lookup = TicketLookup(session_factory(database_url()))
    try:
        tickets = await asyncio.to_thread(lookup.recent, *owner_of(tracker))
    except SQLAlchemyError:
        logger.exception("ticket_status.lookup_failed sender=%s", mask_pii(tracker.sender_id))
        return None
    return verdict_due(tickets, None)


def verdict_due(tickets: List[TicketView], active_loop: Optional[str]) -> Optional[TicketView]:
    """The ticket to ask the customer's verdict about: the only one found that awaits it. None
    while a form is in progress: its rule takes the conversation back to its own question."""
    awaiting = [ticket for ticket in tickets if ticket.awaits_verdict]
    return awaiting[0] if len(awaiting) == 1 and not active_loop else None


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = language_of(tracker)
        number: Optional[str] = next(tracker.get_latest_entity_values("ticket_number"), None)
        lookup = TicketLookup(session_factory(database_url()))
        channel = channel_of(tracker)
        try:
            if number:
                ticket = await asyncio.to_thread(lookup.by_number, number, *owner_of(tracker))
                tickets = [ticket] if ticket else []
            else:
                tickets = await asyncio.to_thread(lookup.recent, *owner_of(tracker))
        except SQLAlchemyError:
            logger.exception("ticket_status.lookup_failed sender=%s", mask_pii(tracker.sender_id))
            dispatcher.utter_message(response="utter_ticket_status_unavailable")
            return [SlotSet(NEXT, None)]
        if number and not tickets:
            # The same answer whether the number does not exist or is someone else's.
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_number=number)
            await _log_not_found(lookup, number, channel, tracker.sender_id)
            return [SlotSet(NEXT, None)]
        if not tickets:
            dispatcher.utter_message(response="utter_no_tickets")
            return [SlotSet(NEXT, None)]
        return _tickets_found(dispatcher, tracker, tickets, language)


def _tickets_found(dispatcher: CollectingDispatcher, tracker: Tracker,
                   tickets: List[TicketView], language: str) -> List[EventType]:
    """Each ticket's status, but the outcome of one that awaits the customer's verdict, and
    the verdict recorded for one that a second verdict is about."""
    text = tracker.latest_message.get("text") or ""
    if len(tickets) == 1 and tickets[0].verdict_given and stated_verdict(text) is not None:
        # "KF-… 处理结果我不接受" after the verdict came (by SMS, or here): the first stands.
        logger.info("outcome.not_awaited number=%s status=%s", tickets[0].number,
                    tickets[0].status)
        tell_verdict_recorded(dispatcher, tickets[0].number, tickets[0].customer_accepted)
        return [SlotSet(NEXT, None)]
    due = verdict_due(tickets, tracker.active_loop_name)
    listed = [ticket for ticket in tickets if ticket is not due]
    if listed:
        dispatcher.utter_message(
            response="utter_ticket_status",
            tickets="\n".join(ticket_line(ticket, language) for ticket in listed),
        )
    if due is None:
        return [SlotSet(NEXT, None)]
    logger.info("ticket_status.verdict_due ticket=%s channel=%s sender=%s", due.number,
                channel_of(tracker), mask_pii(tracker.sender_id))
    return ask_for_verdict(dispatcher, due, text)


async def _log_not_found(lookup: TicketLookup, number: str, channel: str, sender_id: str) -> None:
    """Someone else's ticket asked for is worth a warning: a wrong guess, or a probe."""
    try:
        exists = await asyncio.to_thread(lookup.exists, number)
        reason = "someone_elses" if exists else "no_such_ticket"
    except SQLAlchemyError:
        reason = "unknown"
    log = logger.warning if reason == "someone_elses" else logger.info
    log("ticket_status.not_found ticket=%s reason=%s channel=%s sender=%s", number.upper(),
        reason, channel, mask_pii(sender_id))
