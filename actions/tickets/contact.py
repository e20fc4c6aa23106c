# Kept apart from handoff/ticket_contacts.py, which shows agents the form's entry as stored, masked.
"""Where to tell a customer the outcome of their complaint: the way they chose on the form,
with the number or address the ticket holds, else a verified customer's profile, else (a
complaint made by SMS) the number it was texted from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Customer, Ticket

# The ways of contacting that ask the bank to reach out ("this_channel" is the conversation).
OUTCOME_CONTACTS = ("sms", "email", "phone")
SMS_CHANNEL = "sms"
_E164 = re.compile(r"\+[1-9]\d{6,14}")
# Mainland mobiles are stored as their 11 digits (the customers table, the complaint form).
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def as_e164(phone: Optional[str]) -> Optional[str]:
    """The number as a gateway takes it ("+8613800138001"), or None when it is not one."""
    if not phone:
        return None
    if _E164.fullmatch(phone):
        return phone
    return f"+86{phone}" if _MAINLAND_MOBILE.fullmatch(phone) else None


def stored_forms(e164: str) -> List[str]:
    """What as_e164 reads as this number: "+8613800138001" and "13800138001" for a mainland
    mobile, the number alone otherwise; nothing for what is not E.164."""
    if not _E164.fullmatch(e164):
        return []
    national = e164[3:] if e164.startswith("+86") else ""
    return [e164, national] if _MAINLAND_MOBILE.fullmatch(national) else [e164]


def _to_reach(phone: Optional[str], way: str) -> Optional[str]:
    """A text needs a mobile in E.164; a call may also go to a landline, as it was given."""
    if way == "phone":
        return as_e164(phone) or phone or None
    return as_e164(phone)


@dataclass(frozen=True)
class OutcomeContact:
    way: str  # one of OUTCOME_CONTACTS
    # E.164; to call, a landline as stored ("021-62345678-123")
    phone: Optional[str]
    email: Optional[str]
    # The conversation that filed the complaint; an SMS one is the customer's number.
    conversation_id: str
    customer_name: Optional[str] = None
    # The number an agent can call when a text or e-mail cannot go (a landline too).
    call_phone: Optional[str] = None


def outcome_contact(sessions: sessionmaker[Session], number: str) -> Optional[OutcomeContact]:
    """How to reach the customer with a complaint's outcome; None when they are told in their
    conversation only (they chose "reply here", or the ticket is a callback request)."""
    with sessions() as session:
        ticket = session.execute(
            select(Ticket).where(Ticket.number == number.upper())).scalar_one_or_none()
        if ticket is None:
            return None
        customer = session.get(Customer, ticket.customer_id) if ticket.customer_id else None
        return contact_of(ticket, customer)


def contact_of(ticket: Ticket, customer: Optional[Customer]) -> Optional[OutcomeContact]:
    """`outcome_contact` for a ticket and its customer already read (the console's detail)."""
    if ticket.kind != "complaint" or ticket.contact_preference not in OUTCOME_CONTACTS:
        return None
    texted_from = ticket.sender_id if ticket.channel == SMS_CHANNEL else None
    phone = ticket.contact_phone or (customer.phone if customer else None) or texted_from
    return OutcomeContact(
        way=ticket.contact_preference,
        phone=_to_reach(phone, ticket.contact_preference),
        email=ticket.contact_email or (customer.email if customer else None),
        conversation_id=ticket.sender_id,
        customer_name=customer.display_name if customer else None,
        call_phone=_to_reach(phone, "phone"))
