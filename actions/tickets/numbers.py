"""Ticket numbers: KF-<day>-<sequence>, the sequence restarting each day (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from actions.store.models import TicketCounter

BANK_TIMEZONE = ZoneInfo("Asia/Shanghai")
TICKET_NUMBER = re.compile(r"KF-(\d{8})-(\d{5})")


def ticket_day(moment: dt.datetime) -> str:
    return moment.astimezone(BANK_TIMEZONE).strftime("%Y%m%d")


def format_ticket_number(day: str, sequence: int) -> str:
    return f"KF-{day}-{sequence:05d}"


def allocate_ticket_number(session: Session, moment: dt.datetime) -> str:
    """The next number of the day, inside the caller's transaction.

    The UPDATE takes the counter row's write lock until the caller commits, so two
    concurrent callers can never read the same value, on SQLite and PostgreSQL alike.
    """
    day = ticket_day(moment)
    insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(TicketCounter).values(day=day, last_value=0).on_conflict_do_nothing()
    )
    session.execute(
        update(TicketCounter)
        .where(TicketCounter.day == day)
        .values(last_value=TicketCounter.last_value + 1)
    )
    sequence = session.execute(
        select(TicketCounter.last_value).where(TicketCounter.day == day)
    ).scalar_one()
    return format_ticket_number(day, sequence)
