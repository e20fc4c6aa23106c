"""ResolveTicket and RecordOutcome: an agent's resolution, then the customer's verdict on it."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Ticket, TicketEvent, utc_now
from actions.tickets import history
from actions.tickets.records import RESOLVED, TicketView


class TicketNotFound(LookupError):
    pass


class TicketAlreadyResolved(ValueError):
    pass


class VerdictNotAwaited(ValueError):
    """The ticket is not resolved (any more): its verdict came already, perhaps on another
    channel (`accepted` says which it was), or it was never resolved (`accepted` is None)."""

    def __init__(self, number: str, status: str, accepted: Optional[bool] = None) -> None:
        super().__init__(f"ticket {number} is {status}, not awaiting the customer's verdict")
        self.number, self.status, self.accepted = number, status, accepted


class TicketNotOwned(PermissionError):
    """The ticket is claimed by someone the resolver may not act for (or by nobody)."""

    def __init__(self, number: str, owner: Optional[str]) -> None:
        super().__init__(f"{number} is not yours to resolve")
        self.number = number
        self.owner = owner


# Whether the ticket's owner (an agent id, None when unclaimed) lets this resolver resolve it.
OwnerCheck = Callable[[Optional[str]], bool]
# The caller's own writes that stand or fall with the resolution (the outcome notice to send).
WithResolution = Callable[[Session, Ticket], None]


class ResolveTicket:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime] = utc_now,
        with_resolution: Optional[WithResolution] = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._with_resolution = with_resolution

    def __call__(self, number: str, resolution: str, actor: str,
                 may_resolve: Optional[OwnerCheck] = None) -> TicketView:
        """`may_resolve` is checked on the ticket's owner under the row's lock (None: anyone)."""
        now = self._clock()
        with self._sessions.begin() as session:
            ticket = _locked_ticket(session, number)
            if ticket.status in ("resolved", "closed"):
                raise TicketAlreadyResolved(number)
            if may_resolve is not None and not may_resolve(ticket.owner_agent_id):
                raise TicketNotOwned(ticket.number, ticket.owner_agent_id)
            ticket.status = "resolved"
            ticket.resolution = resolution
            ticket.resolved_at = now
            # Telling the customer the outcome is the bank's first answer when none came before.
            ticket.first_response_at = ticket.first_response_at or now
            ticket.events.append(
                TicketEvent(occurred_at=now, actor=actor, status="resolved", note=resolution)
            )
            if self._with_resolution is not None:
                self._with_resolution(session, ticket)
            session.flush()
            return TicketView.of(ticket)


class RecordOutcome:
    """Store whether the customer accepts the resolution, with their comment: once per
    resolution, whichever channel it comes from first."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def __call__(
        self, number: str, accepted: bool, comment: Optional[str], actor: str
    ) -> TicketView:
        now = self._clock()
        status = "closed" if accepted else "reopened"  # not accepted: back to the team
        with self._sessions.begin() as session:
            # One compare-and-set: of two verdicts at once only one finds the ticket resolved,
            # on SQLite (one writer at a time) and PostgreSQL (the row lock, then the WHERE
            # re-checked). A SELECT first would let both through on SQLite.
            changed = session.execute(
                update(Ticket)
                .where(Ticket.number == number.upper(), Ticket.status == RESOLVED)
                # A verdict shows the customer heard the outcome: nobody need call them.
                .values(status=status, customer_accepted=accepted, customer_feedback=comment,
                        outcome_undelivered_at=None)
                .execution_options(synchronize_session=False))
            ticket = _locked_ticket(session, number)
            if changed.rowcount != 1:
                raise VerdictNotAwaited(ticket.number, ticket.status, ticket.customer_accepted)
            ticket.events.append(TicketEvent(
                occurred_at=now, actor=actor, status=status, note=history.verdict(accepted)))
            session.flush()
            return TicketView.of(ticket)


def _locked_ticket(session: Session, number: str) -> Ticket:
    ticket = session.execute(
        select(Ticket).where(Ticket.number == number.upper()).with_for_update()
    ).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound(number)
    return ticket
