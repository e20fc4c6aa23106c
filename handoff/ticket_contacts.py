# Kept apart from actions/tickets/contact.py, which resolves where a notice goes (fallbacks, E.164).
"""Where to reach the customer about a conversation's tickets: the way they chose and the
number or address, masked in the console and given in full only on an agent's request.

A conversation's tickets are those its handoff context lists (action_handoff looked them up
for the customer's sender and verified identity); no other ticket's contact is revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.identity.profile import mask_email, mask_phone
from actions.store.models import Ticket
from handoff.conversations import ConversationRecord

# action_handoff lists at most five recent tickets; a longer list is not looked up further.
MAX_LISTED = 20


@dataclass(frozen=True)
class TicketContact:
    number: str
    # this_channel, phone, sms or email (the complaint form's choices)
    preference: str
    phone: Optional[str]
    email: Optional[str]

    @classmethod
    def of(cls, ticket: Ticket) -> TicketContact:
        return cls(ticket.number, ticket.contact_preference, ticket.contact_phone,
                   ticket.contact_email)

    @property
    def kind(self) -> Optional[str]:
        """Which detail the ticket holds: "phone" (to call or text), "email", or None."""
        if self.phone:
            return "phone"
        return "email" if self.email else None

    @property
    def detail(self) -> Optional[str]:
        return self.phone or self.email

    def masked(self) -> Dict[str, Any]:
        """What the console shows before anyone asks to see it."""
        return {"contact_preference": self.preference, "contact_kind": self.kind,
                "contact": self._masked_detail()}

    def _masked_detail(self) -> Optional[str]:
        if self.phone:
            return mask_phone(self.phone)
        return mask_email(self.email) if self.email else None

    def revealed(self) -> Dict[str, Any]:
        return {"number": self.number, "contact_preference": self.preference,
                "contact_kind": self.kind, "contact": self.detail}


def listed_tickets(record: ConversationRecord) -> List[str]:
    """The numbers of the tickets the conversation's handoff context lists."""
    listed = record.request.get("open_tickets") or []
    numbers = [str(ticket.get("number")) for ticket in listed
               if isinstance(ticket, dict) and ticket.get("number")]
    return numbers[:MAX_LISTED]


def load_contacts(sessions: sessionmaker[Session],
                  numbers: Iterable[str]) -> Dict[str, TicketContact]:
    """The contact of each of these tickets that exists, by number (a blocking SQL read)."""
    wanted = [number.upper() for number in numbers]
    if not wanted:
        return {}
    with sessions() as session:
        rows = session.execute(
            select(Ticket.number, Ticket.contact_preference, Ticket.contact_phone,
                   Ticket.contact_email).where(Ticket.number.in_(wanted))).all()
    return {number: TicketContact(number, preference, phone, email)
            for number, preference, phone, email in rows}


def with_masked_contacts(tickets: Any, contacts: Dict[str, TicketContact]) -> Any:
    """The context's ticket list, each ticket with its masked contact where one is known."""
    if not isinstance(tickets, list):
        return tickets
    return [{**ticket, **contacts[str(ticket.get("number")).upper()].masked()}
            if isinstance(ticket, dict) and str(ticket.get("number")).upper() in contacts
            else ticket for ticket in tickets]
