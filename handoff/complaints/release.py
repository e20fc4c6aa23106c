"""ReleaseComplaint: its owner (or a supervisor) puts a claimed complaint back in the queue."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import utc_now
from actions.tickets import history
from handoff.agents import AgentAccount
from handoff.complaints.errors import ComplaintChanged, ComplaintClosed, ComplaintUnowned
from handoff.complaints.lookup import workable_complaint
from handoff.complaints.ownership import record_step, swap_owner
from handoff.complaints.policy import is_open
from handoff.complaints.records import Ownership

RELEASED = "ticket.released"


class ReleaseComplaint:
    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def call(self, *, number: str, agent: AgentAccount) -> Ownership:
        now = self._clock()
        with self._sessions.begin() as session:
            ticket = workable_complaint(session, number, agent)
            owner = ticket.owner_agent_id
            if owner is None:
                raise ComplaintUnowned(ticket.number)
            if not is_open(ticket.status):
                raise ComplaintClosed(ticket.number)
            if not swap_owner(session, ticket.number, expected=owner, owner=None, at=now):
                raise ComplaintChanged(ticket.number)
            record_step(session, ticket, agent_id=agent.agent_id, at=now, action=RELEASED,
                        note=history.released(agent.agent_id, owner), previous_owner=owner)
            return Ownership(ticket.number, None, None, previous_owner=owner)
