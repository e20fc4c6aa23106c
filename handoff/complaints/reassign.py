"""ReassignComplaint: a supervisor gives a complaint (claimed or waiting) to an agent of the
complaints team."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import utc_now
from actions.tickets import history
from handoff.agents import AgentAccount, find_account
from handoff.complaints.errors import (
    ComplaintChanged,
    ComplaintClosed,
    NotOnComplaintsTeam,
    SameOwner,
    SupervisorsOnly,
)
from handoff.complaints.lookup import find_complaint
from handoff.complaints.ownership import record_step, swap_owner
from handoff.complaints.policy import is_open, is_supervisor, on_complaints_team
from handoff.complaints.records import Ownership

REASSIGNED = "ticket.reassigned"


class ReassignComplaint:
    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def call(self, *, number: str, supervisor: AgentAccount, to_agent_id: str) -> Ownership:
        number, now = number.upper(), self._clock()
        if not is_supervisor(supervisor):
            raise SupervisorsOnly(number)
        target = find_account(self._sessions, to_agent_id)
        if target is None or not on_complaints_team(target):
            raise NotOnComplaintsTeam(number, to_agent_id)
        with self._sessions.begin() as session:
            ticket = find_complaint(session, number)
            owner = ticket.owner_agent_id
            if not is_open(ticket.status):
                raise ComplaintClosed(ticket.number)
            if owner == target.agent_id:
                raise SameOwner(ticket.number)
            if not swap_owner(session, ticket.number, expected=owner, owner=target.agent_id,
                              at=now):
                raise ComplaintChanged(ticket.number)
            record_step(session, ticket, agent_id=supervisor.agent_id, at=now,
                        action=REASSIGNED,
                        note=history.reassigned(supervisor.agent_id, owner, target.agent_id),
                        previous_owner=owner, owner=target.agent_id)
            return Ownership(ticket.number, target.agent_id, now, previous_owner=owner)
