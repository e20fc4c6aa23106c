"""OpenComplaint: record a confirmed complaint as a ticket with a number, priority and SLA."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Ticket, TicketEvent, utc_now
from actions.tickets import history
from actions.tickets.numbers import allocate_ticket_number
from actions.tickets.records import ComplaintDraft, TicketView

# The bank answers every complaint within 24 hours (DESIGN.md, the complaint process).
COMPLAINT_SLA = dt.timedelta(hours=24)
DISTRESSED_EMOTIONS = frozenset({"angry", "anxious", "sad"})
KEY_SEGMENTS = frozenset({"affluent", "private"})


def complaint_priority(emotion: Optional[str], segment: Optional[str]) -> str:
    """urgent when a key customer is upset, high when either, normal otherwise."""
    upset = emotion in DISTRESSED_EMOTIONS
    key_customer = segment in KEY_SEGMENTS
    if upset and key_customer:
        return "urgent"
    return "high" if upset or key_customer else "normal"


class OpenComplaint:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def __call__(self, draft: ComplaintDraft) -> TicketView:
        now = self._clock()
        with self._sessions.begin() as session:
            ticket = Ticket(
                number=allocate_ticket_number(session, now),
                kind="complaint",
                customer_id=draft.customer_id,
                channel=draft.channel,
                sender_id=draft.sender_id,
                language=draft.language,
                category=draft.category,
                description=draft.description,
                amount=draft.amount,
                currency=draft.currency,
                incident_date=draft.incident_date,
                card_last_four=draft.card_last_four,
                desired_outcome=draft.desired_outcome,
                contact_preference=draft.contact_preference,
                contact_phone=draft.contact_phone,
                contact_email=draft.contact_email,
                priority=complaint_priority(draft.emotion, draft.segment),
                status="open",
                created_at=now,
                sla_due_at=now + COMPLAINT_SLA,
            )
            ticket.events.append(
                TicketEvent(occurred_at=now, actor=history.BOT_ACTOR, status="open",
                            note=history.received())
            )
            session.add(ticket)
            session.flush()
            return TicketView.of(ticket)
