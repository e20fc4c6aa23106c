"""ListComplaints: the queue (open, nobody's), the agent's own, and for supervisors the
team's (claimed by others); each in working order (handoff/complaints/order.py). A resolved
complaint whose outcome could not be texted or e-mailed stays listed, marked, until someone
tells the customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, List

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from actions.store.models import Ticket, utc_now
from actions.tickets.records import OPEN_TICKET_STATUSES
from handoff.agents import AgentAccount
from handoff.complaints.order import work_order
from handoff.complaints.policy import COMPLAINT_KIND, is_supervisor, on_complaints_team
from handoff.complaints.records import ComplaintSummary

# A console list, not a report: the first in working order are what the team works on.
MAX_LISTED = 200


@dataclass(frozen=True)
class ComplaintLists:
    queue: List[ComplaintSummary] = field(default_factory=list)
    mine: List[ComplaintSummary] = field(default_factory=list)
    # Supervisors only: open complaints other agents have claimed.
    team: List[ComplaintSummary] = field(default_factory=list)


class ListComplaints:
    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def call(self, *, agent: AgentAccount) -> ComplaintLists:
        owner, now = Ticket.owner_agent_id, self._clock()
        with self._sessions() as session:
            return ComplaintLists(
                queue=_listed(session, owner.is_(None), now) if on_complaints_team(agent) else [],
                mine=_listed(session, owner == agent.agent_id, now),
                team=_listed(session, owner.is_not(None) & (owner != agent.agent_id), now)
                if is_supervisor(agent) else [])


def _listed(session: Session, whose: ColumnElement[bool],
          now: dt.datetime) -> List[ComplaintSummary]:
    to_work = Ticket.status.in_(OPEN_TICKET_STATUSES) | Ticket.outcome_undelivered_at.is_not(None)
    tickets = session.execute(
        select(Ticket)
        .where(Ticket.kind == COMPLAINT_KIND, to_work, whose)
        .order_by(*work_order(now)).limit(MAX_LISTED)).scalars()
    return [ComplaintSummary.of(ticket) for ticket in tickets]
