"""ListComplaints: the queue (open, nobody's), the agent's own, and for supervisors the
team's (claimed by others); each soonest due first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from actions.store.models import Ticket
from actions.tickets.records import OPEN_TICKET_STATUSES
from handoff.agents import AgentAccount
from handoff.complaints.policy import COMPLAINT_KIND, is_supervisor, on_complaints_team
from handoff.complaints.records import ComplaintSummary

# A console list, not a report: the oldest due are what the team works on.
MAX_LISTED = 200


@dataclass(frozen=True)
class ComplaintLists:
    queue: List[ComplaintSummary] = field(default_factory=list)
    mine: List[ComplaintSummary] = field(default_factory=list)
    # Supervisors only: open complaints other agents have claimed.
    team: List[ComplaintSummary] = field(default_factory=list)


class ListComplaints:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def call(self, *, agent: AgentAccount) -> ComplaintLists:
        owner = Ticket.owner_agent_id
        with self._sessions() as session:
            return ComplaintLists(
                queue=_open(session, owner.is_(None)) if on_complaints_team(agent) else [],
                mine=_open(session, owner == agent.agent_id),
                team=_open(session, owner.is_not(None) & (owner != agent.agent_id))
                if is_supervisor(agent) else [])


def _open(session: Session, whose: ColumnElement[bool]) -> List[ComplaintSummary]:
    tickets = session.execute(
        select(Ticket)
        .where(Ticket.kind == COMPLAINT_KIND, Ticket.status.in_(OPEN_TICKET_STATUSES), whose)
        .order_by(Ticket.sla_due_at, Ticket.id).limit(MAX_LISTED)).scalars()
    return [ComplaintSummary.of(ticket) for ticket in tickets]
