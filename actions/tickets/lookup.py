"""TicketLookup: a customer's own tickets, by number or all of them, and nobody else's."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from actions.store.models import Ticket
from actions.tickets.contact import SMS_CHANNEL, stored_forms
from actions.tickets.records import TicketView

RECENT_TICKETS = 5


class TicketLookup:
    """Tickets the asking sender opened, or that belong to the customer it is linked to; by
    number also a ticket whose contact number is the SMS sender's."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def by_number(
        self, number: str, channel: str, sender_id: str, customer_id: Optional[int] = None
    ) -> Optional[TicketView]:
        allowed = _owned_by(channel, sender_id, customer_id)
        phone = stored_forms(sender_id) if channel == SMS_CHANNEL else []
        if phone:
            # The outcome text asks this phone to reply quoting the number; recent() never lists
            # these (the contact number was typed into a form, unverified).
            allowed = or_(allowed, Ticket.contact_phone.in_(phone))
        with self._sessions() as session:
            ticket = session.execute(
                select(Ticket).where(Ticket.number == number.upper(), allowed)
            ).scalar_one_or_none()
            return TicketView.of(ticket) if ticket else None

    def exists(self, number: str) -> bool:
        """Whether the number is anyone's ticket: for the log, never for the customer."""
        with self._sessions() as session:
            return session.execute(
                select(Ticket.id).where(Ticket.number == number.upper())
            ).first() is not None

    def recent(
        self, channel: str, sender_id: str, customer_id: Optional[int] = None
    ) -> List[TicketView]:
        with self._sessions() as session:
            tickets = session.execute(
                select(Ticket)
                .where(_owned_by(channel, sender_id, customer_id))
                .order_by(Ticket.created_at.desc(), Ticket.id.desc())
                .limit(RECENT_TICKETS)
            ).scalars()
            return [TicketView.of(ticket) for ticket in tickets]

    def resolved(self, number: str) -> Optional[TicketView]:
        """A resolved ticket, for telling its owner the outcome (the caller knows the owner)."""
        with self._sessions() as session:
            ticket = session.execute(
                select(Ticket).where(Ticket.number == number.upper(), Ticket.status == "resolved")
            ).scalar_one_or_none()
            return TicketView.of(ticket) if ticket else None


def _owned_by(channel: str, sender_id: str, customer_id: Optional[int]) -> ColumnElement[bool]:
    same_sender = (Ticket.channel == channel) & (Ticket.sender_id == sender_id)
    if customer_id is None:
        return same_sender
    return or_(same_sender, Ticket.customer_id == customer_id)
