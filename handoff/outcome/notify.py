"""NotifyOutcome: after a complaint is resolved, tell the customer the way they chose on the
form (a text or an e-mail; a call is the agent's to make), and record what was done. A text
or e-mail is a row of the outbox written with the resolution (handoff/outcome/outbox.py):
the agent's request makes the first attempt, the outbox worker any later one."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Optional, Set

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Ticket, utc_now
from actions.tickets.contact import OutcomeContact, outcome_contact
from actions.tickets.history import TOLD_IN_CONVERSATION
from actions.tickets.records import TicketView
from handoff.outcome.notice import (
    ALREADY_TOLD,
    CALL_CUSTOMER,
    PENDING,
    OutcomeNotice,
    masked,
)
from handoff.outcome.outbox import Claim, NoticeOutbox
from handoff.outcome.record import add_to_history, log_notice, log_recorded
from handoff.outcome.worker import OutboxWorker

logger = logging.getLogger(__name__)

# The agent's request waits this long for the first attempt at a text or e-mail; a slower
# one finishes (and is recorded) after the answer, which says "pending".
WAIT_SECONDS = 15.0


class NotifyOutcome:
    def __init__(self, sessions: sessionmaker[Session], outbox: NoticeOutbox,
                 worker: OutboxWorker, wait_seconds: float = WAIT_SECONDS) -> None:
        self._sessions = sessions
        self._outbox, self._worker = outbox, worker
        self._wait_seconds = wait_seconds
        self._sending: Set[asyncio.Task[OutcomeNotice]] = set()

    def queue(self, session: Session, ticket: Ticket) -> None:
        """In the resolution's transaction (ResolveTicket's `with_resolution`)."""
        self._outbox.queue(session, ticket)

    async def call(self, ticket: TicketView, *, told_in_conversation: bool
                   ) -> Optional[OutcomeNotice]:
        """None when the customer chose to be answered in their conversation only."""
        try:
            contact = await asyncio.to_thread(outcome_contact, self._sessions, ticket.number)
        except SQLAlchemyError as error:
            # The resolution and any notice are stored: the worker sends it once the claim
            # lapses; the agent is answered, the operator sees this line.
            logger.error("outcome.contact_unknown ticket=%s error=%s", ticket.number,
                         type(error).__name__)
            return None
        if contact is None:
            return None
        if contact.way == "phone":
            return await self._record(ticket.number, OutcomeNotice(
                "phone", CALL_CUSTOMER, masked(contact.phone),
                None if contact.phone else "no phone number"))
        return await self._text_or_email(ticket.number, contact, told_in_conversation)

    async def _text_or_email(self, number: str, contact: OutcomeContact,
                             told_in_conversation: bool) -> Optional[OutcomeNotice]:
        try:
            claim = await asyncio.to_thread(self._outbox.claimed_for, number)
        except SQLAlchemyError as error:
            logger.error("outcome.contact_unknown ticket=%s error=%s", number,
                         type(error).__name__)
            return None
        if claim is None:
            logger.error("outcome.not_queued ticket=%s channel=%s", number, contact.way)
            return None
        if told_in_conversation and contact.way == "sms" \
                and contact.phone == contact.conversation_id:
            return await self._already_told(claim, contact)
        return await self._first_attempt(claim, contact)

    async def _already_told(self, claim: Claim, contact: OutcomeContact) -> OutcomeNotice:
        logger.info("outcome.already_told ticket=%s channel=sms to=%s", claim.number,
                    masked(contact.phone))
        notice = OutcomeNotice("sms", ALREADY_TOLD, masked(contact.phone),
                               TOLD_IN_CONVERSATION)
        try:
            await asyncio.to_thread(self._outbox.finish, claim, notice, self._worker.now(),
                                    False)
        except SQLAlchemyError as error:
            # Still claimed: once the claim lapses the text goes too (told twice, not never).
            logger.error("outcome.not_recorded ticket=%s error=%s", claim.number,
                         type(error).__name__)
        return notice

    async def _first_attempt(self, claim: Claim, contact: OutcomeContact) -> OutcomeNotice:
        sending = asyncio.create_task(self._worker.attempt(claim))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)
        try:
            # Shielded: past the wait, the attempt goes on and settles its own row.
            return await asyncio.wait_for(asyncio.shield(sending), self._wait_seconds)
        except asyncio.TimeoutError:
            logger.warning("outcome.pending ticket=%s channel=%s", claim.number, contact.way)
            return OutcomeNotice(contact.way, PENDING, _destination(contact))

    async def close(self, timeout: float) -> None:
        """Let attempts still under way finish (at shutdown); an unfinished one stays claimed
        by this instance, which takes it back at its next start."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=timeout)

    async def _record(self, number: str, notice: OutcomeNotice) -> OutcomeNotice:
        """A call for the agent to make: the ticket's history and the audit trail, then the
        log; a failure to record is logged and never undoes the resolution."""
        log_notice(number, notice)
        at = utc_now()
        try:
            await asyncio.to_thread(self._note, number, notice, at)
        except SQLAlchemyError as error:
            logger.error("outcome.not_recorded ticket=%s error=%s", number, type(error).__name__)
            return notice.noted_at(at)
        log_recorded(number)
        return notice.noted_at(at)

    def _note(self, number: str, notice: OutcomeNotice, at: dt.datetime) -> None:
        with self._sessions.begin() as session:
            add_to_history(session, number, notice, at)


def _destination(contact: OutcomeContact) -> Optional[str]:
    return masked(contact.phone if contact.way == "sms" else contact.email)
