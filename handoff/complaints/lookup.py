"""Finding a complaint by number for an agent: unknown and not visible are one answer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import Ticket
from handoff.agents import AgentAccount
from handoff.complaints.errors import ComplaintNotClaimed, ComplaintNotFound
from handoff.complaints.policy import COMPLAINT_KIND, may_act, may_see


def undelivered(ticket: Ticket) -> bool:
    """Its outcome's text or e-mail could not go, and nobody has told the customer yet."""
    return ticket.outcome_undelivered_at is not None


def find_complaint(session: Session, number: str, *, lock: bool = False) -> Ticket:
    query = select(Ticket).where(Ticket.number == number.upper(), Ticket.kind == COMPLAINT_KIND)
    ticket = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if ticket is None:
        raise ComplaintNotFound(number.upper())
    return ticket


def visible_complaint(session: Session, number: str, agent: AgentAccount, *,
                      lock: bool = False) -> Ticket:
    """The complaint, if this agent may see it; ComplaintNotFound if not (as if unknown)."""
    ticket = find_complaint(session, number, lock=lock)
    if not may_see(agent, ticket.owner_agent_id, ticket.status, undelivered(ticket)):
        raise ComplaintNotFound(ticket.number)
    return ticket


def workable_complaint(session: Session, number: str, agent: AgentAccount, *,
                       lock: bool = False) -> Ticket:
    """A visible complaint the agent owns (or any, for a supervisor); ComplaintNotClaimed for
    one they only see in the queue."""
    ticket = visible_complaint(session, number, agent, lock=lock)
    if not may_act(agent, ticket.owner_agent_id, undelivered(ticket)):
        raise ComplaintNotClaimed(ticket.number)
    return ticket
