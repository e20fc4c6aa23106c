"""Profiles: who a sender is linked to, the masked view, and audited changes."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Callable, Dict, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.identity.records import CustomerView
from actions.store.models import AuditEvent, ChannelIdentity, Customer, utc_now

EDITABLE_FIELDS = ("address", "phone", "email", "preferred_language", "contact_preference",
                   "marketing_consent")


def mask_phone(phone: Optional[str]) -> str:
    """"138****8001"; a landline as stored ("021-62345678-123") keeps its area code and the
    local number's last four: "021-****5678"."""
    if phone and phone.startswith("0") and "-" in phone:
        area, local = phone.split("-")[:2]
        return f"{area}-****{local[-4:]}"
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else "—"


def mask_email(email: Optional[str]) -> str:
    if not email or "@" not in email:
        return "—"
    name, domain = email.split("@", 1)
    return f"{name[0]}***@{domain}"


def mask_address(address: Optional[str]) -> str:
    """The district is enough to recognise it; the street and number stay hidden."""
    if not address:
        return "—"
    return address[:6] + "****" if len(address) > 6 else address[:2] + "****"


def masked(field: str, value: object) -> str:
    if field == "phone":
        return mask_phone(value)  # type: ignore[arg-type]
    if field == "email":
        return mask_email(value)  # type: ignore[arg-type]
    if field == "address":
        return mask_address(value)  # type: ignore[arg-type]
    return "—" if value is None else str(value)


def linked_customer(sessions: sessionmaker[Session], channel: str,
                    sender_id: str) -> Optional[CustomerView]:
    """The customer this sender proved to be with a one-time code, if any."""
    with sessions() as session:
        customer = session.execute(
            select(Customer).join(ChannelIdentity, ChannelIdentity.customer_id == Customer.id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.sender_id == sender_id,
                   ChannelIdentity.verified_at.is_not(None))
        ).scalar_one_or_none()
        return CustomerView.of(customer) if customer else None


def customer_by_id(sessions: sessionmaker[Session], customer_id: int) -> Optional[CustomerView]:
    """The customer a conversation is linked to (the `customer_id` slot), if they exist."""
    with sessions() as session:
        customer = session.get(Customer, customer_id)
        return CustomerView.of(customer) if customer else None


class PhoneTaken(ValueError):
    pass


class UpdateProfile:
    """Change one field; the audit trail keeps who, when, and the old and new values masked."""

    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions, self._clock = sessions, clock

    def __call__(self, customer_id: int, field: str, value: object, actor: str) -> CustomerView:
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"{field} cannot be changed here")
        now = self._clock()
        with self._sessions.begin() as session:
            customer = session.get(Customer, customer_id, with_for_update=True)
            if customer is None:
                raise LookupError(customer_id)
            if field == "phone" and session.execute(
                    select(Customer.id).where(Customer.phone == value,
                                              Customer.id != customer_id)).first():
                raise PhoneTaken(field)
            old = getattr(customer, field)
            setattr(customer, field, value)
            detail: Dict[str, str] = {"field": field, "old": masked(field, old),
                                      "new": masked(field, value)}
            session.add(AuditEvent(occurred_at=now, actor=actor, action="profile.updated",
                                   subject=customer.customer_number,
                                   detail=json.dumps(detail, ensure_ascii=False)))
            session.flush()
            return CustomerView.of(customer)


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def valid_email(text: str) -> Optional[str]:
    candidate = text.strip()
    return candidate.lower() if _EMAIL.match(candidate) and len(candidate) <= 254 else None
