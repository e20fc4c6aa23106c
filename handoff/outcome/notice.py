"""OutcomeNotice: what kefu did to tell a customer their complaint's outcome, as the resolve
response, the ticket's history and the audit trail show it (destinations masked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Dict, Optional

from actions.tickets import history
from actions.tickets.history import (  # the final results, as the history line tells them
    ALREADY_TOLD,
    CALL_CUSTOMER,
    FAILED,
    GAVE_UP,
    NOT_CONFIGURED,
    SENT,
)
from bot.pii import mask_pii

__all__ = ["ALREADY_TOLD", "CALL_CUSTOMER", "FAILED", "GAVE_UP", "NOT_CONFIGURED", "NOT_SENT",
           "PENDING", "SENT", "UNDELIVERED", "OutcomeNotice", "masked"]

# Still sending when the agent was answered, or to be tried again after a temporary failure;
# the ticket's history gets the result.
PENDING = "pending"
# Final results with nothing sent at the first try and none to come (GAVE_UP is after tries).
NOT_SENT = (FAILED, NOT_CONFIGURED)
# The final results that leave the customer untold: an agent has to call them.
UNDELIVERED = frozenset({*NOT_SENT, GAVE_UP})


def masked(destination: Optional[str]) -> Optional[str]:
    return mask_pii(destination) if destination else None


@dataclass(frozen=True)
class OutcomeNotice:
    channel: str  # sms, email or phone
    status: str
    to: Optional[str]  # masked
    reason: Optional[str] = None
    at: Optional[dt.datetime] = None

    @property
    def undelivered(self) -> bool:
        return self.status in UNDELIVERED

    def noted_at(self, at: dt.datetime) -> OutcomeNotice:
        return replace(self, at=at)

    def note(self) -> str:
        """The line in the ticket's history."""
        return history.outcome(self.channel, self.status, self.to, self.reason)

    def as_json(self) -> Dict[str, Any]:
        return {"channel": self.channel, "status": self.status, "to": self.to,
                "reason": self.reason, "at": self.at.isoformat() if self.at else None}
