"""NoticeOutbox: the `outcome_notices` table, complaint outcomes still to text or e-mail.

A row is written in the resolution's own transaction, already claimed by the instance that
resolves, so a crash after the agent's click leaves it to be sent. A claim is a conditional
UPDATE that adds an attempt only where the row still shows the attempts its claimer read: of
two workers that read the same row, one claims it (SQLite and PostgreSQL alike). A claim
lasts LEASE; past it, any instance may take the row again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import OutboxNotice, Ticket
from bot.pii import mask_pii
from handoff.outcome.notice import PENDING, OutcomeNotice
from handoff.outcome.record import add_to_history

# Longer than any one attempt: three tries of up to 10 s for each of up to three SMS parts.
LEASE = dt.timedelta(minutes=5)
# A later resolution of the same ticket replaces a notice not sent yet.
SUPERSEDED = "superseded"
CHANNELS = ("sms", "email")
MAX_ERROR_CHARS = 256


def moment(ms: int) -> dt.datetime:
    """The service clock's milliseconds as a UTC time."""
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)


@dataclass(frozen=True)
class Due:
    row_id: int
    attempts: int  # as read: the claim's condition


@dataclass(frozen=True)
class Claim:
    row_id: int
    number: str
    channel: str
    attempts: int  # this attempt's number, from 1


class NoticeOutbox:
    def __init__(self, sessions: sessionmaker[Session], instance: str,
                 clock: Callable[[], dt.datetime]) -> None:
        self._sessions = sessions
        self._instance = instance
        self._clock = clock

    def queue(self, session: Session, ticket: Ticket) -> None:
        """In the resolution's transaction: a complaint whose customer chose a text or an
        e-mail gets its notice, claimed by this instance for the first attempt."""
        if ticket.kind != "complaint" or ticket.contact_preference not in CHANNELS:
            return
        now = self._clock()
        session.execute(update(OutboxNotice).where(
            OutboxNotice.ticket_number == ticket.number,
            OutboxNotice.status == PENDING).values(
            status=SUPERSEDED, claimed_by=None, finished_at=now).execution_options(
            synchronize_session=False))
        session.add(OutboxNotice(
            ticket_number=ticket.number, channel=ticket.contact_preference, status=PENDING,
            attempts=1, claimed_by=self._instance, next_attempt_at=now + LEASE,
            created_at=now))

    def claimed_for(self, number: str) -> Optional[Claim]:
        """This instance's claim on the ticket's notice, written with its resolution."""
        with self._sessions() as session:
            row = session.execute(select(OutboxNotice).where(
                OutboxNotice.ticket_number == number.upper(),
                OutboxNotice.status == PENDING,
                OutboxNotice.claimed_by == self._instance,
            ).order_by(OutboxNotice.id.desc()).limit(1)).scalar_one_or_none()
            return _claim(row) if row else None

    def due(self, at: dt.datetime, limit: int) -> List[Due]:
        with self._sessions() as session:
            rows = session.execute(select(OutboxNotice.id, OutboxNotice.attempts).where(
                OutboxNotice.status == PENDING, OutboxNotice.next_attempt_at <= at,
            ).order_by(OutboxNotice.next_attempt_at, OutboxNotice.id).limit(limit))
            return [Due(row_id, attempts) for row_id, attempts in rows]

    def pending(self) -> int:
        """Notices still to send, of every instance (an index range: cheap at each scrape)."""
        with self._sessions() as session:
            return int(session.execute(select(func.count()).select_from(OutboxNotice).where(
                OutboxNotice.status == PENDING)).scalar_one())

    def claim(self, due: Due, at: dt.datetime) -> Optional[Claim]:
        """The row for one more attempt, or None when another worker took it first."""
        with self._sessions.begin() as session:
            taken = session.execute(update(OutboxNotice).where(
                OutboxNotice.id == due.row_id, OutboxNotice.status == PENDING,
                OutboxNotice.attempts == due.attempts,
                OutboxNotice.next_attempt_at <= at,
            ).values(attempts=due.attempts + 1, claimed_by=self._instance,
                     next_attempt_at=at + LEASE).execution_options(synchronize_session=False))
            if taken.rowcount != 1:
                return None
            return _claim(session.get(OutboxNotice, due.row_id))

    def retry_at(self, claim: Claim, when: dt.datetime, error: Optional[str]) -> bool:
        """Give the claim back until `when`; False when it was no longer ours."""
        with self._sessions.begin() as session:
            return _still_ours(session, claim, next_attempt_at=when, claimed_by=None,
                               last_error=_error_text(error))

    def finish(self, claim: Claim, notice: OutcomeNotice, at: dt.datetime,
               noted: bool = True) -> bool:
        """The row's last status and, with `noted`, the ticket's history line and the audit
        row in the same transaction; False (nothing written) when it was no longer ours."""
        with self._sessions.begin() as session:
            if not _still_ours(session, claim, status=notice.status, claimed_by=None,
                               last_error=_error_text(notice.reason), finished_at=at):
                return False
            if noted:
                add_to_history(session, claim.number, notice, at)
            return True

    def release_mine(self, started: dt.datetime) -> int:
        """At start: this instance's claims taken before `started` were left when it stopped
        (its new ones, from requests already served, lapse later); due now."""
        with self._sessions.begin() as session:
            released = session.execute(update(OutboxNotice).where(
                OutboxNotice.status == PENDING,
                OutboxNotice.claimed_by == self._instance,
                OutboxNotice.next_attempt_at < started + LEASE,
            ).values(claimed_by=None, next_attempt_at=started).execution_options(
                synchronize_session=False))
            return int(released.rowcount)


def _claim(row: OutboxNotice) -> Claim:
    return Claim(row.id, row.ticket_number, row.channel, row.attempts)


def _still_ours(session: Session, claim: Claim, **values: object) -> bool:
    changed = session.execute(update(OutboxNotice).where(
        OutboxNotice.id == claim.row_id, OutboxNotice.status == PENDING,
        OutboxNotice.attempts == claim.attempts,
    ).values(**values).execution_options(synchronize_session=False))
    return changed.rowcount == 1


def _error_text(reason: Optional[str]) -> Optional[str]:
    # Reasons name codes, not destinations; masked all the same, as a log line would be.
    return mask_pii(reason)[:MAX_ERROR_CHARS] if reason else None
