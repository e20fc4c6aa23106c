"""The complaint outcome last texted to a phone, while it still awaits the customer's verdict:
what a plain "接受" or "no" from that phone answers (bot/outcome_question.py). Only the last
text counts: the customer answers the message at the bottom of their thread, every answer
names the ticket it recorded, and an older text still awaiting a verdict asks to quote its
number, which works at any time (action_ticket_status)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Customer, OutboxNotice, Ticket
from actions.tickets.contact import SMS_CHANNEL, contact_of, stored_forms
from actions.tickets.history import ALREADY_TOLD, SENT
from actions.tickets.records import RESOLVED

# A text that reached the phone: sent by the outbox, or the question asked in the phone's own
# SMS conversation (the complaint was made from it).
TEXTED = (SENT, ALREADY_TOLD)
# Texts to the same phone within the window looked at for the one that went there last.
CANDIDATES = 20


def awaiting_texted_verdict(sessions: sessionmaker[Session], phone: str,
                            since: dt.datetime) -> Optional[str]:
    """The number of the ticket whose outcome was texted to `phone` (E.164) last, since
    `since`, when it still awaits the verdict; None otherwise."""
    forms = stored_forms(phone)
    if not forms:
        return None
    with sessions() as session:
        rows = session.execute(
            select(Ticket, Customer)
            .join(OutboxNotice, OutboxNotice.ticket_number == Ticket.number)
            .outerjoin(Customer, Customer.id == Ticket.customer_id)
            .where(OutboxNotice.channel == SMS_CHANNEL, OutboxNotice.status.in_(TEXTED),
                   OutboxNotice.finished_at >= since,
                   # Where contact_of may find the phone; it tells which one it chose.
                   or_(Ticket.contact_phone.in_(forms), Customer.phone.in_(forms),
                       and_(Ticket.channel == SMS_CHANNEL, Ticket.sender_id == phone)))
            .order_by(OutboxNotice.finished_at.desc(), OutboxNotice.id.desc())
            .limit(CANDIDATES)).all()
        for ticket, customer in rows:
            contact = contact_of(ticket, customer)
            if contact is not None and contact.phone == phone:
                return ticket.number if ticket.status == RESOLVED else None
    return None
