"""UndeliveredNotice: a resolved complaint whose text or e-mail finally could not go (refused
for good, nothing configured to send it, or given up after its retries), as the complaint's
detail shows it until someone tells the customer: the way, why, and the number to call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import OutboxNotice, Ticket, as_utc
from actions.tickets.contact import OutcomeContact
from handoff.outcome.destination import call_number
from handoff.outcome.notice import FAILED, UNDELIVERED


@dataclass(frozen=True)
class UndeliveredNotice:
    at: dt.datetime  # when the final result was recorded
    channel: str  # sms or email
    status: str  # failed, not_configured or gave_up
    reason: Optional[str]  # the outbox's last error, masked
    call_to: Optional[str]  # masked; None when no number is known

    @classmethod
    def of(cls, session: Session, ticket: Ticket,
           contact: Optional[OutcomeContact]) -> Optional[UndeliveredNotice]:
        """None unless the ticket is marked as its customer left untold."""
        if ticket.outcome_undelivered_at is None:
            return None
        row = session.execute(select(OutboxNotice).where(
            OutboxNotice.ticket_number == ticket.number,
            OutboxNotice.status.in_(UNDELIVERED)).order_by(OutboxNotice.id.desc()).limit(1)
        ).scalar_one_or_none()
        at = as_utc(ticket.outcome_undelivered_at)
        if row is None:  # the mark without its row: say what the ticket knows
            return cls(at, ticket.contact_preference, FAILED, None, call_number(contact))
        return cls(at, row.channel, row.status, row.last_error, call_number(contact))

    def as_json(self) -> Dict[str, Any]:
        return {"at": self.at.isoformat(), "channel": self.channel, "status": self.status,
                "reason": self.reason, "call_to": self.call_to}
