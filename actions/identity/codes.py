"""One-time codes: six digits, stored as an HMAC, with expiry, attempt and rate limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.identity.records import CustomerView
from actions.store.models import (
    AuditEvent,
    ChannelIdentity,
    Customer,
    Ticket,
    VerificationCode,
    as_utc,
    utc_now,
)

CODE_LIFETIME = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
# At most this many codes per conversation and per phone number in the window.
SENDER_LIMIT, PHONE_LIMIT = 3, 5
RATE_WINDOW = dt.timedelta(minutes=15)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(code: str, secret: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    status: str  # "issued" or "rate_limited"
    code: Optional[str] = None  # to send, only when the phone belongs to a customer
    phone: Optional[str] = None
    language: str = "zh"


class IssueCode:
    def __init__(self, sessions: sessionmaker[Session], secret: str,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions, self._secret, self._clock = sessions, secret, clock

    def __call__(self, channel: str, sender_id: str, phone: str) -> IssuedCode:
        now = self._clock()
        since = now - RATE_WINDOW
        with self._sessions.begin() as session:
            by_sender = session.execute(
                select(func.count(VerificationCode.id)).where(
                    VerificationCode.channel == channel, VerificationCode.sender_id == sender_id,
                    VerificationCode.created_at >= since)).scalar_one()
            by_phone = session.execute(
                select(func.count(VerificationCode.id)).where(
                    VerificationCode.phone == phone, VerificationCode.created_at >= since)
            ).scalar_one()
            if by_sender >= SENDER_LIMIT or by_phone >= PHONE_LIMIT:
                return IssuedCode("rate_limited")
            customer = session.execute(
                select(Customer).where(Customer.phone == phone)).scalar_one_or_none()
            code = new_code()
            session.add(VerificationCode(
                channel=channel, sender_id=sender_id, phone=phone,
                customer_id=customer.id if customer else None,
                code_hash=code_hash(code, self._secret), created_at=now,
                expires_at=now + CODE_LIFETIME, attempts=0))
            if customer is None:
                return IssuedCode("issued")  # said the same way: no hint who is a customer
            return IssuedCode("issued", code, phone, customer.preferred_language)


@dataclass(frozen=True)
class CodeCheck:
    status: str  # "verified", "wrong", "expired", "locked"
    attempts_left: int = 0
    customer: Optional[CustomerView] = None


class CheckCode:
    """Check the latest code of this conversation; on success link the sender to the customer."""

    def __init__(self, sessions: sessionmaker[Session], secret: str,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._sessions, self._secret, self._clock = sessions, secret, clock

    def __call__(self, channel: str, sender_id: str, code: str) -> CodeCheck:
        now = self._clock()
        with self._sessions.begin() as session:
            issued = session.execute(
                select(VerificationCode)
                .where(VerificationCode.channel == channel,
                       VerificationCode.sender_id == sender_id,
                       VerificationCode.used_at.is_(None))
                .order_by(VerificationCode.id.desc()).limit(1).with_for_update()
            ).scalar_one_or_none()
            if issued is None or as_utc(issued.expires_at) < now:
                return CodeCheck("expired")
            if issued.attempts >= MAX_ATTEMPTS:
                return CodeCheck("locked")
            issued.attempts += 1
            matches = hmac.compare_digest(issued.code_hash, code_hash(code, self._secret))
            if not matches or issued.customer_id is None:
                left = MAX_ATTEMPTS - issued.attempts
                return CodeCheck("wrong" if left else "locked", attempts_left=left)
            issued.used_at = now
            customer = session.get(Customer, issued.customer_id)
            _link(session, channel, sender_id, customer, now)
            return CodeCheck("verified", customer=CustomerView.of(customer))


def _link(session: Session, channel: str, sender_id: str, customer: Customer,
          now: dt.datetime) -> None:
    identity = session.execute(
        select(ChannelIdentity).where(ChannelIdentity.channel == channel,
                                      ChannelIdentity.sender_id == sender_id)
    ).scalar_one_or_none()
    if identity is None:
        identity = ChannelIdentity(channel=channel, sender_id=sender_id, created_at=now)
        session.add(identity)
    identity.customer_id = customer.id
    identity.verified_at = now
    # Tickets this conversation filed before verifying are the customer's too.
    session.execute(
        update(Ticket)
        .where(Ticket.channel == channel, Ticket.sender_id == sender_id,
               Ticket.customer_id.is_(None))
        .values(customer_id=customer.id)
    )
    session.add(AuditEvent(occurred_at=now, actor=f"customer:{channel}:{sender_id}",
                           action="identity.verified", subject=customer.customer_number,
                           detail=f"channel={channel}"))
