"""OutcomeDestination: where a complaint's outcome will be told once it is resolved, for the
agent to see before resolving. It is the outbox's own answer (actions/tickets/contact.py:
the ticket's contact, else the verified customer's profile, else the number an SMS
complaint came from), masked like the ticket's contact in the console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from actions.identity.profile import mask_email, mask_phone
from actions.tickets.contact import OutcomeContact

# Why no notice will go (the console words each in Chinese and English).
IN_CONVERSATION = "in_conversation"  # the customer chose to be answered in the conversation
NO_MOBILE = "no_mobile"  # a text, and no mobile number to send it to
NO_PHONE = "no_phone"  # a call, and no number to call
NO_EMAIL = "no_email"  # an e-mail, and no address


@dataclass(frozen=True)
class OutcomeDestination:
    # sms, email, or phone (a call the agent makes); None when no notice will go.
    channel: Optional[str]
    to: Optional[str]  # masked
    reason: Optional[str] = None  # one of the codes above when no notice will go

    @classmethod
    def of(cls, contact: Optional[OutcomeContact]) -> OutcomeDestination:
        if contact is None:
            return cls(None, None, IN_CONVERSATION)
        if contact.way == "email":
            return cls("email", mask_email(contact.email)) if contact.email \
                else cls(None, None, NO_EMAIL)
        if contact.phone:
            return cls(contact.way, mask_phone(contact.phone))
        return cls(None, None, NO_PHONE if contact.way == "phone" else NO_MOBILE)

    def as_json(self) -> Dict[str, Any]:
        return {"channel": self.channel, "to": self.to, "reason": self.reason}
