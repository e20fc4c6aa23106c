"""ClaimComplaint: an agent of the complaints team takes an open complaint nobody has."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import as_utc, utc_now
from actions.tickets import history
from handoff.agents import AgentAccount
from handoff.complaints.errors import ComplaintClosed, ComplaintNotFound, ComplaintTaken
from handoff.complaints.lookup import find_complaint
from handoff.complaints.ownership import record_step, swap_owner
from handoff.complaints.policy import is_open, on_complaints_team
from handoff.complaints.records import Ownership

CLAIMED = "ticket.claimed"


class ClaimComplaint:
    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def call(self, *, number: str, agent: AgentAccount) -> Ownership:
        """Of agents claiming at once, one wins; the others get ComplaintTaken."""
        number, now = number.upper(), self._clock()
        if not on_complaints_team(agent):
            raise ComplaintNotFound(number)
        with self._sessions.begin() as session:
            if not swap_owner(session, number, expected=None, owner=agent.agent_id, at=now):
                return self._not_claimed(session, number, agent)
            ticket = find_complaint(session, number)
            record_step(session, ticket, agent_id=agent.agent_id, at=now, action=CLAIMED,
                        note=history.claimed(agent.agent_id))
            return Ownership(ticket.number, agent.agent_id, now)

    @staticmethod
    def _not_claimed(session: Session, number: str, agent: AgentAccount) -> Ownership:
        ticket = find_complaint(session, number)
        if ticket.owner_agent_id == agent.agent_id:
            # Claimed already by this agent (a double click): nothing changes.
            return Ownership(ticket.number, agent.agent_id, as_utc(ticket.claimed_at))
        if not is_open(ticket.status):
            raise ComplaintClosed(ticket.number)
        raise ComplaintTaken(ticket.number)
