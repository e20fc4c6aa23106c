"""TicketLookup: a customer's own tickets, by number or all of them, and nobody else's."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from actions.store.models import Ticket
from actions.tickets.records import TicketView

RECENT_TICKETS = 5


class TicketLookup:
    """Tickets the asking sender opened, or that belong to the customer it is linked to."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def by_number(
        self, number: str, channel: str, sender_id: str, customer_id: Optional[int] = None
    ) -> Optional[TicketView]:
        with self._sessions() as session:
            ticket = session.execute(
                select(Ticket).where(
                    Ticket.number == number.upper(), _owned_by(channel, sender_id, customer_id)
                )
            ).scalar_one_or_none()
            return TicketView.of(ticket) if ticket else None

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
