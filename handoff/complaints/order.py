"""The order the complaint lists are worked in: complaints past their due time first (the most
overdue first), then by priority (urgent, high, normal), then soonest due, then by number.

One ORDER BY in SQL, so that the lists' row limit keeps the complaints that matter most."""

from __future__ import annotations

import datetime as dt
from typing import Any, Tuple

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement

from actions.store.models import Ticket
from handoff.routing.rules import PRIORITY_RANK

# A priority kefu does not know (none is written today) comes after normal.
UNKNOWN_PRIORITY_RANK = len(PRIORITY_RANK)


def work_order(now: dt.datetime) -> Tuple[ColumnElement[Any], ...]:
    """ORDER BY terms for tickets as of `now` ("overdue" as the lists mark it: due before now)."""
    # SQLite keeps the stored UTC wall time: compare with `now` in UTC too.
    overdue = Ticket.sla_due_at < now.astimezone(dt.timezone.utc)
    return (case((overdue, 0), else_=1),
            # Overdue: by due time before priority; the others are null here, and tie.
            case((overdue, Ticket.sla_due_at), else_=None),
            case(PRIORITY_RANK, value=Ticket.priority, else_=UNKNOWN_PRIORITY_RANK),
            Ticket.sla_due_at, Ticket.number)
