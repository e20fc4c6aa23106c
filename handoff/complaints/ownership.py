"""Changing a complaint's owner as one compare-and-set: the UPDATE names the owner it
expects, so of two agents (or an agent and a supervisor) acting at once only one wins, on
SQLite (one writer at a time) and PostgreSQL (the row lock, then the WHERE re-checked)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import update
from sqlalchemy.orm import Session

from actions.store.models import Ticket, TicketEvent
from actions.tickets.records import OPEN_TICKET_STATUSES
from handoff.audit import agent_actor, audit_row
from handoff.complaints.policy import COMPLAINT_KIND


def swap_owner(session: Session, number: str, *, expected: Optional[str],
               owner: Optional[str], at: dt.datetime) -> bool:
    """Set the owner of the open complaint if it is still `expected`; whether it was."""
    current = Ticket.owner_agent_id.is_(None) if expected is None \
        else Ticket.owner_agent_id == expected
    changed = session.execute(
        update(Ticket)
        .where(Ticket.number == number, Ticket.kind == COMPLAINT_KIND,
               Ticket.status.in_(OPEN_TICKET_STATUSES), current)
        .values(owner_agent_id=owner, claimed_at=at if owner else None)
        .execution_options(synchronize_session=False))
    return changed.rowcount == 1


def record_step(session: Session, ticket: Ticket, *, agent_id: str, at: dt.datetime,
                note: str, action: str, **detail: Any) -> None:
    """A line of the ticket's history and an audit row, in the caller's transaction."""
    session.add(TicketEvent(ticket_id=ticket.id, occurred_at=at, actor=agent_id,
                            status=ticket.status, note=note))
    session.add(audit_row(agent_actor(agent_id), action, ticket.number, **detail))
