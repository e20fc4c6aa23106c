"""AddComplaintNote: the owner (or a supervisor) writes what was done into the history."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import utc_now
from handoff.agents import AgentAccount
from handoff.complaints.lookup import workable_complaint
from handoff.complaints.ownership import record_step
from handoff.complaints.records import HistoryStep

NOTED = "ticket.noted"


class AddComplaintNote:
    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def call(self, *, number: str, agent: AgentAccount, note: str) -> HistoryStep:
        """Also on a resolved complaint (the call made after it, the customer's answer)."""
        now = self._clock()
        with self._sessions.begin() as session:
            ticket = workable_complaint(session, number, agent)
            # The audit row says that a note was written, not what it says.
            record_step(session, ticket, agent_id=agent.agent_id, at=now, action=NOTED,
                        note=note, characters=len(note))
            return HistoryStep(now, agent.agent_id, ticket.status, note)
