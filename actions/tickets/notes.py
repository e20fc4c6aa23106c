"""AddTicketNote: a step of a ticket's history that changes nothing but says what was done."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Ticket, TicketEvent, utc_now
from actions.tickets.resolve import TicketNotFound


class AddTicketNote:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def __call__(self, number: str, actor: str, note: str) -> dt.datetime:
        """The time noted; the event keeps the ticket's status as it stands."""
        now = self._clock()
        with self._sessions.begin() as session:
            ticket = session.execute(
                select(Ticket).where(Ticket.number == number.upper())).scalar_one_or_none()
            if ticket is None:
                raise TicketNotFound(number)
            ticket.events.append(
                TicketEvent(occurred_at=now, actor=actor, status=ticket.status, note=note))
        return now
