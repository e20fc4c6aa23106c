"""RevealComplaintContact: the full number or address, for the owner or a supervisor; each
answer is an audit row (the value never is)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from handoff.agents import AgentAccount
from handoff.audit import agent_actor, audit_row
from handoff.complaints.errors import NoContactDetail
from handoff.complaints.lookup import workable_complaint
from handoff.ticket_contacts import TicketContact

REVEALED = "ticket.contact_revealed"


class RevealComplaintContact:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def call(self, *, number: str, agent: AgentAccount) -> TicketContact:
        with self._sessions.begin() as session:
            ticket = workable_complaint(session, number, agent)
            contact = TicketContact.of(ticket)
            if contact.detail is None:
                raise NoContactDetail(ticket.number)
            session.add(audit_row(agent_actor(agent.agent_id), REVEALED, ticket.number,
                                  via="complaints", contact_kind=contact.kind, role=agent.role))
            return contact
