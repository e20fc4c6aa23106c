"""What the complaint services return: plain dataclasses, free of SQLAlchemy sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from actions.store.models import Customer, Ticket, TicketEvent, as_utc
from actions.tickets.history import read as read_history_line
from bot.pii import mask_pii
from handoff.complaints.policy import is_open
from handoff.outcome.destination import OutcomeDestination
from handoff.outcome.undelivered import UndeliveredNotice
from handoff.ticket_contacts import TicketContact


def _iso(moment: Optional[dt.datetime]) -> Optional[str]:
    return as_utc(moment).isoformat() if moment else None


@dataclass(frozen=True)
class ComplaintSummary:
    """A line of the queue or of "my complaints"."""

    number: str
    status: str
    priority: str
    category: str
    language: str
    channel: str
    created_at: dt.datetime
    due_at: dt.datetime
    owner_agent_id: Optional[str]
    claimed_at: Optional[dt.datetime]
    # Its outcome's text or e-mail could not go, and nobody has told the customer yet.
    undelivered_at: Optional[dt.datetime] = None

    @classmethod
    def of(cls, ticket: Ticket) -> ComplaintSummary:
        return cls(number=ticket.number, status=ticket.status, priority=ticket.priority,
                   category=ticket.category, language=ticket.language, channel=ticket.channel,
                   created_at=as_utc(ticket.created_at), due_at=as_utc(ticket.sla_due_at),
                   owner_agent_id=ticket.owner_agent_id,
                   claimed_at=as_utc(ticket.claimed_at) if ticket.claimed_at else None,
                   undelivered_at=as_utc(ticket.outcome_undelivered_at)
                   if ticket.outcome_undelivered_at else None)

    def overdue(self, now: dt.datetime) -> bool:
        return is_open(self.status) and self.due_at < now

    def as_json(self, now: dt.datetime) -> Dict[str, Any]:
        return {"number": self.number, "status": self.status, "priority": self.priority,
                "category": self.category, "language": self.language, "channel": self.channel,
                "created_at": _iso(self.created_at), "due_at": _iso(self.due_at),
                "overdue": self.overdue(now), "undelivered": self.undelivered_at is not None,
                "owner_agent_id": self.owner_agent_id, "claimed_at": _iso(self.claimed_at)}


@dataclass(frozen=True)
class HistoryStep:
    at: dt.datetime
    actor: str
    status: str
    note: str

    @classmethod
    def of(cls, event: TicketEvent) -> HistoryStep:
        return cls(as_utc(event.occurred_at), event.actor, event.status, event.note)

    def as_json(self) -> Dict[str, Any]:
        """`note` as stored; `kind` and `params` say what kefu wrote, for the console to
        show in either language ("note": an agent's words, shown as they are)."""
        return {"at": _iso(self.at), "actor": self.actor, "status": self.status,
                "note": self.note, **read_history_line(self.actor, self.note).as_json()}


@dataclass(frozen=True)
class ComplaintDetail:
    """Everything the owner (or a supervisor) needs to work the complaint; the contact
    masked, card and ID numbers in the customer's words reduced to their last four digits;
    where the outcome would be told if it were resolved now (`notice_to`), and once resolved,
    the text or e-mail that could not go (`undelivered`)."""

    summary: ComplaintSummary
    description: str
    amount: Optional[str]
    currency: Optional[str]
    incident_date: Optional[dt.date]
    card_last_four: Optional[str]
    desired_outcome: str
    contact: TicketContact
    notice_to: OutcomeDestination
    customer: Optional[Dict[str, Any]]
    resolution: Optional[str]
    resolved_at: Optional[dt.datetime]
    customer_accepted: Optional[bool]
    customer_feedback: Optional[str]
    history: List[HistoryStep]
    undelivered: Optional[UndeliveredNotice] = None

    @classmethod
    def of(cls, ticket: Ticket, customer: Optional[Customer], notice_to: OutcomeDestination,
           undelivered: Optional[UndeliveredNotice] = None) -> ComplaintDetail:
        return cls(
            summary=ComplaintSummary.of(ticket), description=mask_pii(ticket.description),
            amount=ticket.amount, currency=ticket.currency, incident_date=ticket.incident_date,
            card_last_four=ticket.card_last_four, desired_outcome=ticket.desired_outcome,
            contact=TicketContact.of(ticket), notice_to=notice_to,
            customer={"display_name": customer.display_name,
                      "customer_number": customer.customer_number,
                      "segment": customer.segment} if customer else None,
            resolution=ticket.resolution,
            resolved_at=as_utc(ticket.resolved_at) if ticket.resolved_at else None,
            customer_accepted=ticket.customer_accepted,
            customer_feedback=ticket.customer_feedback,
            history=[HistoryStep.of(event) for event in ticket.events], undelivered=undelivered)

    def as_json(self, now: dt.datetime) -> Dict[str, Any]:
        return {**self.summary.as_json(now), "description": self.description,
                "amount": self.amount, "currency": self.currency,
                "incident_date": self.incident_date.isoformat() if self.incident_date else None,
                "card_last_four": self.card_last_four, "desired_outcome": self.desired_outcome,
                **self.contact.masked(), "outcome_notice_to": self.notice_to.as_json(),
                "undelivered_notice": self.undelivered.as_json() if self.undelivered else None,
                "customer": self.customer,
                "resolution": self.resolution, "resolved_at": _iso(self.resolved_at),
                "customer_accepted": self.customer_accepted,
                "customer_feedback": self.customer_feedback,
                "history": [step.as_json() for step in self.history]}


@dataclass(frozen=True)
class Ownership:
    """Who has the complaint after a claim, release or reassignment."""

    number: str
    owner_agent_id: Optional[str]
    claimed_at: Optional[dt.datetime]
    # The owner before (a reassignment or release); None when it was in the queue.
    previous_owner: Optional[str] = None

    def as_json(self) -> Dict[str, Any]:
        return {"number": self.number, "owner_agent_id": self.owner_agent_id,
                "claimed_at": _iso(self.claimed_at), "previous_owner": self.previous_owner}
