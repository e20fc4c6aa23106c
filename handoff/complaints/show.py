"""ShowComplaint: one complaint as its owner (or a supervisor, or a colleague deciding to
claim it from the queue) sees it, with where its outcome would be told if resolved now, and
once resolved, a text or e-mail that could not go."""

from __future__ import annotations

from typing import AbstractSet

from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Customer
from actions.tickets.contact import contact_of
from handoff.agents import AgentAccount
from handoff.complaints.lookup import visible_complaint
from handoff.complaints.records import ComplaintDetail
from handoff.outcome.destination import OutcomeDestination
from handoff.outcome.undelivered import UndeliveredNotice


class ShowComplaint:
    def __init__(self, sessions: sessionmaker[Session], sends: AbstractSet[str]) -> None:
        """`sends`: the ways a notice can go from this service (sms, email)."""
        self._sessions = sessions
        self._sends = sends

    def call(self, *, number: str, agent: AgentAccount) -> ComplaintDetail:
        with self._sessions() as session:
            ticket = visible_complaint(session, number, agent)
            customer = session.get(Customer, ticket.customer_id) if ticket.customer_id else None
            contact = contact_of(ticket, customer)
            # The outbox's own resolution, so the agent sees where the notice will really go.
            notice_to = OutcomeDestination.of(contact, self._sends)
            return ComplaintDetail.of(ticket, customer, notice_to,
                                      UndeliveredNotice.of(session, ticket, contact))
