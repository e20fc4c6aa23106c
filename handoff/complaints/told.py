"""RecordCustomerTold: an agent has told the customer an outcome their text or e-mail could
not carry (by phone, mostly) and says so; the complaint loses its "not delivered" mark, with a
line of its history and an audit row. One conditional UPDATE: of two agents saying it at
once, one is recorded and the other refused."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Ticket, utc_now
from actions.tickets import history
from handoff.agents import AgentAccount
from handoff.complaints.errors import NothingUndelivered
from handoff.complaints.lookup import workable_complaint
from handoff.complaints.ownership import record_step
from handoff.complaints.records import HistoryStep

TOLD = "ticket.outcome_told"


class RecordCustomerTold:
    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def call(self, *, number: str, agent: AgentAccount) -> HistoryStep:
        now = self._clock()
        with self._sessions.begin() as session:
            ticket = workable_complaint(session, number, agent)
            cleared = session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id, Ticket.outcome_undelivered_at.is_not(None))
                .values(outcome_undelivered_at=None)
                .execution_options(synchronize_session=False))
            if cleared.rowcount != 1:
                raise NothingUndelivered(ticket.number)
            note = history.outcome_told(agent.agent_id)
            record_step(session, ticket, agent_id=agent.agent_id, at=now, action=TOLD,
                        note=note, role=agent.role)
            return HistoryStep(now, agent.agent_id, ticket.status, note)
