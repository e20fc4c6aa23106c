"""ResolveComplaint: the owner (or a supervisor) resolves it; the customer is told as for any
ticket (ResolveTicketAndNotify), and the agent learns how (outcome_notice, call_customer)."""

from __future__ import annotations

import asyncio
from typing import Optional

from sqlalchemy.orm import Session, sessionmaker

from actions.tickets.resolve import OwnerCheck, TicketAlreadyResolved, TicketNotOwned
from handoff.agents import AgentAccount
from handoff.audit import audit
from handoff.complaints.errors import ComplaintChanged, ComplaintClosed
from handoff.complaints.lookup import workable_complaint
from handoff.complaints.policy import is_supervisor
from handoff.resolve_ticket import ResolvedTicket, ResolveTicketAndNotify

RESOLVED = "ticket.resolved"


class ResolveComplaint:
    def __init__(self, sessions: sessionmaker[Session], resolve: ResolveTicketAndNotify) -> None:
        self._sessions = sessions
        self._resolve = resolve

    async def call(self, *, number: str, agent: AgentAccount,
                   resolution: str) -> ResolvedTicket:
        number = await asyncio.to_thread(self._workable, number, agent)
        try:
            resolved = await self._resolve.call(number, resolution, agent.agent_id,
                                                _owner_check(agent))
        except TicketAlreadyResolved:
            raise ComplaintClosed(number) from None
        except TicketNotOwned:
            # Reassigned or released between the check and the row's lock.
            raise ComplaintChanged(number) from None
        notice = resolved.outcome_notice
        await audit(self._sessions, agent.agent_id, RESOLVED, number,
                    customer_notified=resolved.customer_notified,
                    outcome=notice.status if notice else None)
        return resolved

    def _workable(self, number: str, agent: AgentAccount) -> str:
        with self._sessions() as session:
            return workable_complaint(session, number, agent).number


def _owner_check(agent: AgentAccount) -> Optional[OwnerCheck]:
    """Supervisors resolve any complaint; an agent only one they still own."""
    if is_supervisor(agent):
        return None
    return lambda owner: owner == agent.agent_id
