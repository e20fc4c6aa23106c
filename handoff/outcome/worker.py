"""OutboxWorker: sends the complaint outcomes that are due (handoff/outcome/outbox.py), one
attempt each, and settles every attempt: sent, failed for good, tried again later after a
temporary failure (waits doubling from KEFU_OUTCOME_RETRY_SECONDS), or given up after
KEFU_OUTCOME_MAX_ATTEMPTS; a final result is a line of the ticket's history and an audit row.
At start it takes back what this instance held when it stopped."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import replace
from typing import Awaitable, Callable, List, Optional, Tuple

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Ticket
from actions.tickets.contact import OutcomeContact, outcome_contact
from actions.tickets.history import gave_up_reason
from actions.tickets.records import TicketView
from handoff.metrics import HandoffMetrics
from handoff.outcome.deliver import Attempt, DeliverOutcome
from handoff.outcome.notice import FAILED, GAVE_UP, NOT_SENT, PENDING, SENT, OutcomeNotice
from handoff.outcome.outbox import SUPERSEDED, Claim, Due, NoticeOutbox, moment
from handoff.outcome.record import log_notice, log_recorded
from handoff.outcome.retry import RetryPolicy

logger = logging.getLogger(__name__)

# Due notices are looked for this often (and retries are due in whole tens of seconds).
POLL_SECONDS = 5.0
# Notices one pass takes at most; the next pass takes the rest.
BATCH = 50
# A ticket reopened before its notice went out: that outcome no longer stands.
REOPENED = "reopened"


class OutboxWorker:
    def __init__(self, outbox: NoticeOutbox, deliver: DeliverOutcome,
                 sessions: sessionmaker[Session], retry: RetryPolicy,
                 clock: Callable[[], int], metrics: HandoffMetrics,
                 on_settled: Optional[Callable[[str], Awaitable[None]]] = None,
                 on_texted: Optional[Callable[[str, str], Awaitable[None]]] = None) -> None:
        """`clock`: the service's "now" in ms (tests move it by hand); `metrics`: counts what
        is sent, retried, given up and not sent for good; `on_settled`: told the ticket number
        once a final result is in its history (consoles refresh it); `on_texted`: told the
        ticket number and the phone (E.164) once its outcome was texted, so that the phone's
        conversation awaits the verdict. Neither may raise."""
        self._outbox, self._deliver, self._sessions = outbox, deliver, sessions
        self._retry, self._clock, self._metrics = retry, clock, metrics
        self._on_settled, self._on_texted = on_settled, on_texted
        self._wake = asyncio.Event()
        # Set once the first pass after start is over: what a crash left has been tried.
        self.recovered = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        started = self.now()  # before the service takes its first request
        try:
            released = await asyncio.to_thread(self._outbox.release_mine, started)
            if released:
                logger.warning("outcome.recovered notices=%d", released)
            await self.tick(stop=stop)
        except SQLAlchemyError as error:
            logger.error("outcome.outbox_unavailable error=%s", type(error).__name__)
        self.recovered.set()
        while not stop.is_set():
            try:
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.tick(stop=stop)
            except SQLAlchemyError as error:
                # The rows wait in the database; the next pass tries again.
                logger.error("outcome.outbox_unavailable error=%s", type(error).__name__)
            except Exception as error:
                # A fault of ours must not stop the notices of every later resolution.
                logger.error("outcome.worker_error error=%s", type(error).__name__)

    async def tick(self, at: Optional[dt.datetime] = None,
                   stop: Optional[asyncio.Event] = None) -> List[OutcomeNotice]:
        """One pass at `at` (now when None): every notice due then, one attempt each."""
        at = at or self.now()
        return await self.send_due(await self.due(at), at, stop)

    async def pending(self) -> Optional[int]:
        """Notices still to send (every instance's), or None when the outbox is unreadable."""
        try:
            return await asyncio.to_thread(self._outbox.pending)
        except SQLAlchemyError as error:
            logger.error("outcome.outbox_unavailable error=%s", type(error).__name__)
            return None

    async def due(self, at: Optional[dt.datetime] = None) -> List[Due]:
        return await asyncio.to_thread(self._outbox.due, at or self.now(), BATCH)

    async def send_due(self, due: List[Due], at: dt.datetime,
                       stop: Optional[asyncio.Event] = None) -> List[OutcomeNotice]:
        """Claim each in turn and try it; those another worker claimed first are skipped."""
        results = []
        for notice in due:
            if stop is not None and stop.is_set():
                break
            claim = await asyncio.to_thread(self._outbox.claim, notice, at)
            if claim is not None:
                results.append(await self.attempt(claim, at))
        return results

    async def attempt(self, claim: Claim, at: Optional[dt.datetime] = None) -> OutcomeNotice:
        """Send the claimed notice once and settle its row: the notice as the agent would be
        told (pending when it will be tried again)."""
        at = at or self.now()
        tried = await self._try(claim)
        if tried is None:
            return await self._supersede(claim, at)
        settled = await self._settle(claim, tried, at)
        if tried.texted_to is not None and self._on_texted is not None:
            await self._on_texted(claim.number, tried.texted_to)
        return settled

    async def _try(self, claim: Claim) -> Optional[Attempt]:
        """None when the ticket was reopened meanwhile: that outcome no longer stands."""
        try:
            found = await asyncio.to_thread(_ticket_and_contact, self._sessions, claim.number)
        except SQLAlchemyError as error:
            return Attempt(OutcomeNotice(claim.channel, FAILED, None,
                                         f"ticket not readable ({type(error).__name__})"),
                           temporary=True)
        if found is None:
            return Attempt(OutcomeNotice(claim.channel, FAILED, None, "no contact on the ticket"))
        ticket, contact = found
        if ticket.status == REOPENED:
            return None
        try:
            return await self._deliver.call(claim.channel, ticket, contact)
        except Exception as error:
            # A fault of ours must not stop the worker: retried, then given up, like any other
            # (the type only: a traceback's text is not masked).
            logger.error("outcome.attempt_error ticket=%s error=%s", claim.number,
                         type(error).__name__)
            return Attempt(OutcomeNotice(claim.channel, FAILED, None, type(error).__name__),
                           temporary=True)

    async def _settle(self, claim: Claim, tried: Attempt, at: dt.datetime) -> OutcomeNotice:
        notice = tried.notice
        if not tried.temporary:
            return await self._finish(claim, notice, at)
        if claim.attempts < self._retry.max_attempts:
            return await self._retry_later(claim, notice, at)
        return await self._finish(claim, replace(notice, status=GAVE_UP, reason=gave_up_reason(
            claim.attempts, notice.reason)), at)

    async def _retry_later(self, claim: Claim, notice: OutcomeNotice,
                           at: dt.datetime) -> OutcomeNotice:
        wait = self._retry.wait_after(claim.attempts)
        logger.warning("outcome.retry ticket=%s channel=%s to=%s attempt=%d/%d retry_in_s=%d "
                       "reason=%s", claim.number, claim.channel, notice.to or "-",
                       claim.attempts, self._retry.max_attempts, wait.total_seconds(),
                       notice.reason or "-")
        try:
            retried = await asyncio.to_thread(self._outbox.retry_at, claim, at + wait,
                                              notice.reason)
        except SQLAlchemyError as error:
            # Still claimed: tried again once the claim lapses.
            logger.error("outcome.not_recorded ticket=%s error=%s", claim.number,
                         type(error).__name__)
            return replace(notice, status=PENDING)
        if retried:  # a claim lost meanwhile is the other worker's to count
            self._metrics.outcome_retried.labels(claim.channel).inc()
        return replace(notice, status=PENDING)

    async def _finish(self, claim: Claim, notice: OutcomeNotice,
                      at: dt.datetime) -> OutcomeNotice:
        """The final result: the row, the ticket's history and the audit trail at once."""
        log_notice(claim.number, notice)
        try:
            recorded = await asyncio.to_thread(self._outbox.finish, claim, notice, at)
        except SQLAlchemyError as error:
            # Still claimed: tried again once the claim lapses (the customer may get it twice).
            logger.error("outcome.not_recorded ticket=%s error=%s", claim.number,
                         type(error).__name__)
            return notice
        if not recorded:
            logger.warning("outcome.claim_lost ticket=%s attempt=%d", claim.number,
                           claim.attempts)
            return notice
        log_recorded(claim.number)
        self._count_final(claim.channel, notice.status)
        if self._on_settled is not None:
            try:
                await self._on_settled(claim.number)
            except RedisError as error:  # the result is stored; consoles see it on refresh
                logger.warning("outcome.not_announced ticket=%s error=%s", claim.number,
                               type(error).__name__)
        return notice.noted_at(at)

    def _count_final(self, channel: str, status: str) -> None:
        """Once the row says so: a write that failed leaves the notice to be tried again."""
        if status == SENT:
            self._metrics.outcome_sent.labels(channel).inc()
        elif status == GAVE_UP:
            self._metrics.outcome_given_up.labels(channel).inc()
        elif status in NOT_SENT:
            self._metrics.outcome_failed.labels(channel, status).inc()

    async def _supersede(self, claim: Claim, at: dt.datetime) -> OutcomeNotice:
        notice = OutcomeNotice(claim.channel, SUPERSEDED, None, "the ticket was reopened")
        logger.info("outcome.superseded ticket=%s channel=%s", claim.number, claim.channel)
        await asyncio.to_thread(self._outbox.finish, claim, notice, at, False)
        return notice

    def now(self) -> dt.datetime:
        return moment(self._clock())


def _ticket_and_contact(sessions: sessionmaker[Session], number: str
                        ) -> Optional[Tuple[TicketView, OutcomeContact]]:
    """The ticket as it stands and where to reach its customer, read at each attempt."""
    with sessions() as session:
        ticket = session.execute(
            select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
        view = TicketView.of(ticket) if ticket else None
    contact = outcome_contact(sessions, number) if view else None
    return (view, contact) if view and contact else None
