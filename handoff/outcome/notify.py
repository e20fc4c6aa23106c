"""NotifyOutcome: after a complaint is resolved, tell the customer the way they chose on the
form (a text or an e-mail; a call is the agent's to make), and record what was done."""

from __future__ import annotations

import asyncio
import logging
from typing import Optional, Set

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import utc_now
from actions.tickets.contact import OutcomeContact, outcome_contact
from actions.tickets.notes import AddTicketNote
from actions.tickets.records import TicketView
from bot.channels.sms_delivery import SmsDelivery
from handoff.audit import SYSTEM_ACTOR, audit_system
from handoff.outcome.notice import (
    ALREADY_TOLD,
    CALL_CUSTOMER,
    FAILED,
    NOT_CONFIGURED,
    PENDING,
    SENT,
    OutcomeNotice,
    masked,
)
from handoff.outcome.smtp import EmailNotSent, SmtpMailer
from handoff.outcome.texts import outcome_email, outcome_sms

logger = logging.getLogger(__name__)

# The agent's request waits this long for a text or e-mail; a slower one finishes (and is
# recorded) after the answer, which says "pending".
WAIT_SECONDS = 15.0
NO_GATEWAY = "no SMS gateway (KEFU_TWILIO_*)"
NO_RELAY = "no SMTP relay (KEFU_SMTP_HOST, KEFU_SMTP_FROM)"


class NotifyOutcome:
    def __init__(self, sessions: sessionmaker[Session], sms: SmsDelivery,
                 mailer: Optional[SmtpMailer], mail_sender: Optional[str],
                 wait_seconds: float = WAIT_SECONDS) -> None:
        self._sessions = sessions
        self._sms, self._mailer, self._mail_sender = sms, mailer, mail_sender
        self._wait_seconds = wait_seconds
        self._sending: Set[asyncio.Task[OutcomeNotice]] = set()

    async def call(self, ticket: TicketView, *, told_in_conversation: bool
                   ) -> Optional[OutcomeNotice]:
        """None when the customer chose to be answered in their conversation only."""
        try:
            contact = await asyncio.to_thread(outcome_contact, self._sessions, ticket.number)
        except SQLAlchemyError as error:
            # The resolution is stored; the agent is answered, the operator sees this line.
            logger.error("outcome.contact_unknown ticket=%s error=%s", ticket.number,
                         type(error).__name__)
            return None
        if contact is None:
            return None
        if contact.way == "phone":
            return await self._record(ticket.number, OutcomeNotice(
                "phone", CALL_CUSTOMER, masked(contact.phone),
                None if contact.phone else "no phone number"))
        if contact.way == "sms" and told_in_conversation \
                and contact.phone == contact.conversation_id:
            logger.info("outcome.already_told ticket=%s channel=sms to=%s", ticket.number,
                        masked(contact.phone))
            return OutcomeNotice("sms", ALREADY_TOLD, masked(contact.phone),
                                 "told in the SMS conversation")
        sending = asyncio.create_task(self._send_and_record(ticket, contact))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)
        try:
            # Shielded: past the wait, the send goes on and records its own result.
            return await asyncio.wait_for(asyncio.shield(sending), self._wait_seconds)
        except asyncio.TimeoutError:
            logger.warning("outcome.pending ticket=%s channel=%s", ticket.number, contact.way)
            return OutcomeNotice(contact.way, PENDING, _destination(contact))

    async def close(self, timeout: float) -> None:
        """Let texts and e-mails still being sent finish (at shutdown)."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=timeout)

    async def _send_and_record(self, ticket: TicketView, contact: OutcomeContact
                               ) -> OutcomeNotice:
        send = self._text if contact.way == "sms" else self._email
        return await self._record(ticket.number, await send(ticket, contact))

    async def _text(self, ticket: TicketView, contact: OutcomeContact) -> OutcomeNotice:
        to = masked(contact.phone)
        if contact.phone is None:
            return OutcomeNotice("sms", FAILED, None, "no phone number")
        if not self._sms.configured:
            return OutcomeNotice("sms", NOT_CONFIGURED, to, NO_GATEWAY)
        text = outcome_sms(ticket.number, ticket.resolution or "", ticket.language)
        delivery = await self._sms.deliver(contact.phone, text)
        return OutcomeNotice("sms", SENT if delivery.sent else FAILED, to, delivery.reason)

    async def _email(self, ticket: TicketView, contact: OutcomeContact) -> OutcomeNotice:
        to = masked(contact.email)
        if contact.email is None:
            return OutcomeNotice("email", FAILED, None, "no e-mail address")
        if self._mailer is None or not self._mail_sender:
            return OutcomeNotice("email", NOT_CONFIGURED, to, NO_RELAY)
        message = outcome_email(number=ticket.number, resolution=ticket.resolution or "",
                                language=ticket.language, sender=self._mail_sender,
                                to=contact.email, customer_name=contact.customer_name)
        try:
            await self._mailer.send(message)
        except EmailNotSent as error:
            return OutcomeNotice("email", FAILED, to, str(error))
        return OutcomeNotice("email", SENT, to)

    async def _record(self, number: str, notice: OutcomeNotice) -> OutcomeNotice:
        """Into the ticket's history and the audit trail, then the log; a failure to record
        is logged and never undoes what was sent."""
        log = logger.info if notice.status in (SENT, CALL_CUSTOMER) \
            else logger.warning if notice.status == NOT_CONFIGURED else logger.error
        log("outcome.%s ticket=%s channel=%s to=%s reason=%s", notice.status, number,
            notice.channel, notice.to or "-", notice.reason or "-")
        try:
            at = await asyncio.to_thread(AddTicketNote(self._sessions), number, SYSTEM_ACTOR,
                                         notice.note())
            await audit_system(self._sessions, "ticket.outcome_notice", number,
                               channel=notice.channel, status=notice.status, to=notice.to,
                               reason=notice.reason)
        except SQLAlchemyError as error:
            logger.error("outcome.not_recorded ticket=%s error=%s", number, type(error).__name__)
            at = utc_now()
        return notice.noted_at(at)


def _destination(contact: OutcomeContact) -> Optional[str]:
    return masked(contact.phone if contact.way == "sms" else contact.email)
