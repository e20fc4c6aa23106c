"""DeliverOutcome: one attempt at texting or e-mailing a complaint's outcome, and whether a
failure is worth trying again later (the gateway or relay unreachable or busy) or not (no
number, a refused address, a 4xx, nothing configured)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from actions.tickets.contact import OutcomeContact
from actions.tickets.history import NO_GATEWAY, NO_RELAY
from actions.tickets.records import TicketView
from bot.channels.sms_delivery import SmsDelivery
from handoff.outcome.notice import FAILED, NOT_CONFIGURED, SENT, OutcomeNotice, masked
from handoff.outcome.smtp import EmailNotSent, SmtpMailer
from handoff.outcome.texts import outcome_email, outcome_sms


@dataclass(frozen=True)
class Attempt:
    notice: OutcomeNotice
    # Not sent, and another attempt later may succeed.
    temporary: bool = False
    # The number (E.164) a text went to: its conversation now awaits the customer's verdict.
    texted_to: Optional[str] = None


class DeliverOutcome:
    def __init__(self, sms: SmsDelivery, mailer: Optional[SmtpMailer],
                 mail_sender: Optional[str]) -> None:
        self._sms, self._mailer, self._mail_sender = sms, mailer, mail_sender

    def sends(self, channel: str) -> bool:
        """Whether a gateway (sms) or relay (email) is set up to send this way at all."""
        if channel == "sms":
            return self._sms.configured
        return channel == "email" and self._mailer is not None and bool(self._mail_sender)

    async def call(self, channel: str, ticket: TicketView, contact: OutcomeContact) -> Attempt:
        send = self._text if channel == "sms" else self._email
        return await send(ticket, contact)

    async def _text(self, ticket: TicketView, contact: OutcomeContact) -> Attempt:
        to = masked(contact.phone)
        if contact.phone is None:
            return Attempt(OutcomeNotice("sms", FAILED, None, "no phone number"))
        if not self.sends("sms"):
            return Attempt(OutcomeNotice("sms", NOT_CONFIGURED, to, NO_GATEWAY))
        text = outcome_sms(ticket.number, ticket.resolution or "", ticket.language)
        delivery = await self._sms.deliver(contact.phone, text)
        return Attempt(OutcomeNotice("sms", SENT if delivery.sent else FAILED, to,
                                     delivery.reason), delivery.temporary,
                       contact.phone if delivery.sent else None)

    async def _email(self, ticket: TicketView, contact: OutcomeContact) -> Attempt:
        to = masked(contact.email)
        if contact.email is None:
            return Attempt(OutcomeNotice("email", FAILED, None, "no e-mail address"))
        if self._mailer is None or not self._mail_sender:
            return Attempt(OutcomeNotice("email", NOT_CONFIGURED, to, NO_RELAY))
        message = outcome_email(number=ticket.number, resolution=ticket.resolution or "",
                                language=ticket.language, sender=self._mail_sender,
                                to=contact.email, customer_name=contact.customer_name)
        try:
            await self._mailer.send(message)
        except EmailNotSent as error:
            return Attempt(OutcomeNotice("email", FAILED, to, str(error)), error.temporary)
        return Attempt(OutcomeNotice("email", SENT, to))
