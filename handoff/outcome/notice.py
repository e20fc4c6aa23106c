"""OutcomeNotice: what kefu did to tell a customer their complaint's outcome, as the resolve
response, the ticket's history and the audit trail show it (destinations masked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Dict, Optional

from bot.pii import mask_pii

SENT = "sent"
FAILED = "failed"
# No SMS gateway or SMTP relay is configured: nothing could be sent.
NOT_CONFIGURED = "not_configured"
# Still sending when the agent was answered, or to be tried again after a temporary failure;
# the ticket's history gets the result.
PENDING = "pending"
# Temporary failures until the last attempt allowed (KEFU_OUTCOME_MAX_ATTEMPTS).
GAVE_UP = "gave_up"
# The customer texts from that number and was told in that conversation already.
ALREADY_TOLD = "already_told"
# They asked for a call: the agent calls them (nothing is sent).
CALL_CUSTOMER = "call_customer"


def masked(destination: Optional[str]) -> Optional[str]:
    return mask_pii(destination) if destination else None


@dataclass(frozen=True)
class OutcomeNotice:
    channel: str  # sms, email or phone
    status: str
    to: Optional[str]  # masked
    reason: Optional[str] = None
    at: Optional[dt.datetime] = None

    def noted_at(self, at: dt.datetime) -> OutcomeNotice:
        return replace(self, at=at)

    def note(self) -> str:
        """The line in the ticket's history."""
        to = self.to or "no destination"
        if self.status == SENT:
            return f"outcome sent by {self.channel} to {to}"
        if self.status == CALL_CUSTOMER:
            return f"outcome to be given by phone: call {to}"
        return f"outcome not sent by {self.channel} to {to}: {self.reason or self.status}"

    def as_json(self) -> Dict[str, Any]:
        return {"channel": self.channel, "status": self.status, "to": self.to,
                "reason": self.reason, "at": self.at.isoformat() if self.at else None}
