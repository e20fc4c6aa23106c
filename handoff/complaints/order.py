"""The order the complaint lists are worked in: first those that need someone now, the longest
waiting first: complaints past their due time (since their due time) and resolved ones whose
outcome could not be texted or e-mailed (since it failed: the customer waits for a call);
then by priority (urgent, high, normal), then soonest due, then by number.

One ORDER BY in SQL, so that the lists' row limit keeps the complaints that matter most."""

from __future__ import annotations

import datetime as dt
from typing import Any, Tuple

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement

from actions.store.models import Ticket
from actions.tickets.records import OPEN_TICKET_STATUSES
from handoff.routing.rules import PRIORITY_RANK

# A priority kefu does not know (none is written today) comes after normal.
UNKNOWN_PRIORITY_RANK = len(PRIORITY_RANK)


def work_order(now: dt.datetime) -> Tuple[ColumnElement[Any], ...]:
    """ORDER BY terms for tickets as of `now` ("overdue" as the lists mark it: open, due
    before now; "undelivered": marked so)."""
    # SQLite keeps the stored UTC wall time: compare with `now` in UTC too.
    overdue = Ticket.status.in_(OPEN_TICKET_STATUSES) \
        & (Ticket.sla_due_at < now.astimezone(dt.timezone.utc))
    undelivered = Ticket.outcome_undelivered_at.is_not(None)
    return (case((overdue | undelivered, 0), else_=1),
            # Waiting since (due, or failed) before priority; the others are null here, and tie.
            case((overdue, Ticket.sla_due_at), (undelivered, Ticket.outcome_undelivered_at),
                 else_=None),
            case(PRIORITY_RANK, value=Ticket.priority, else_=UNKNOWN_PRIORITY_RANK),
            Ticket.sla_due_at, Ticket.number)
