"""What callers pass in and get back: plain dataclasses, free of SQLAlchemy sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from actions.store.models import Ticket, as_utc

# A ticket still waiting for the bank: new, or reopened by the customer's verdict.
OPEN_TICKET_STATUSES = ("open", "reopened")
# Resolved by the bank, awaiting the customer's verdict (RecordOutcome: closed or reopened).
RESOLVED = "resolved"


@dataclass(frozen=True)
class ComplaintDraft:
    """A complaint as the customer confirmed it in the conversation."""

    channel: str
    sender_id: str
    language: str
    category: str
    description: str
    desired_outcome: str
    contact_preference: str
    # Where to call, text or email the outcome, for a contact preference that needs one.
    contact_phone: Optional[str] = None
    contact_email: Optional[str] = None
    amount: Optional[str] = None
    currency: Optional[str] = None
    incident_date: Optional[dt.date] = None
    card_last_four: Optional[str] = None
    customer_id: Optional[int] = None
    emotion: Optional[str] = None
    segment: Optional[str] = None


@dataclass(frozen=True)
class TicketView:
    number: str
    category: str
    status: str
    priority: str
    language: str
    channel: str
    sender_id: str
    created_at: dt.datetime
    sla_due_at: dt.datetime
    resolution: Optional[str]
    customer_accepted: Optional[bool]

    @classmethod
    def of(cls, ticket: Ticket) -> TicketView:
        return cls(
            number=ticket.number,
            category=ticket.category,
            status=ticket.status,
            priority=ticket.priority,
            language=ticket.language,
            channel=ticket.channel,
            sender_id=ticket.sender_id,
            created_at=as_utc(ticket.created_at),
            sla_due_at=as_utc(ticket.sla_due_at),
            resolution=ticket.resolution,
            customer_accepted=ticket.customer_accepted,
        )

    @property
    def awaits_verdict(self) -> bool:
        """Resolved, and the customer has not said yet whether the outcome is acceptable: their
        verdict closes or reopens it. A ticket resolved again after a "no" awaits a new one."""
        return self.status == RESOLVED

    @property
    def verdict_given(self) -> bool:
        """The customer's verdict on its latest resolution closed or reopened it; another one
        changes nothing (RecordOutcome)."""
        return not self.awaits_verdict and self.customer_accepted is not None
