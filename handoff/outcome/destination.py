"""OutcomeDestination: where a complaint's outcome will be told once it is resolved, for the
agent to see before resolving. It is the outbox's own answer (actions/tickets/contact.py:
the ticket's contact, else the verified customer's profile, else the number an SMS
complaint came from; handoff/outcome/deliver.py: an address first, then a gateway or relay
to send it), masked like the ticket's contact in the console. When the way the customer
chose cannot work, the agent is asked to call them, with the number when one is known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Any, Dict, Optional

from actions.identity.profile import mask_email, mask_phone
from actions.tickets.contact import OutcomeContact

# Why no notice will go (the console words each in Chinese and English).
IN_CONVERSATION = "in_conversation"  # the customer chose to be answered in the conversation
NO_MOBILE = "no_mobile"  # a text, and no mobile number to send it to
NO_PHONE = "no_phone"  # a call, and no number to call
NO_EMAIL = "no_email"  # an e-mail, and no address
NOT_CONFIGURED = "not_configured"  # no SMS gateway or SMTP relay to send the chosen way
# A call the agent makes (the customer chose it, or the notice cannot go).
CALL = "phone"


def call_number(contact: Optional[OutcomeContact]) -> Optional[str]:
    """The number an agent would call, masked; None when none is known."""
    return mask_phone(contact.call_phone) if contact and contact.call_phone else None


@dataclass(frozen=True)
class OutcomeDestination:
    # sms, email, or phone (a call the agent makes); None when no notice will go.
    channel: Optional[str]
    to: Optional[str]  # masked
    reason: Optional[str] = None  # one of the codes above when no notice will go
    chosen: Optional[str] = None  # the way the customer chose; None: their conversation
    call_to: Optional[str] = None  # masked: the number to call when the agent must call

    @property
    def call_customer(self) -> bool:
        """The agent tells the customer: they asked for a call, or nothing else can reach them."""
        return self.chosen is not None and self.channel in (None, CALL)

    @classmethod
    def of(cls, contact: Optional[OutcomeContact],
           sends: AbstractSet[str]) -> OutcomeDestination:
        """`sends`: the ways a notice can go from this service (a gateway or relay set up)."""
        if contact is None:
            return cls(None, None, IN_CONVERSATION)
        way, call_to = contact.way, call_number(contact)
        if way == CALL:
            return cls(CALL, call_to, None, way, call_to) if call_to \
                else cls(None, None, NO_PHONE, way)
        address = contact.email if way == "email" else contact.phone
        if not address:
            return cls(None, None, NO_EMAIL if way == "email" else NO_MOBILE, way, call_to)
        if way not in sends:
            return cls(None, None, NOT_CONFIGURED, way, call_to)
        return cls(way, mask_email(address) if way == "email" else mask_phone(address),
                   chosen=way)

    def as_json(self) -> Dict[str, Any]:
        return {"channel": self.channel, "to": self.to, "reason": self.reason,
                "chosen": self.chosen, "call_customer": self.call_customer,
                "call_to": self.call_to}
