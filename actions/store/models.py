"""SQLAlchemy models: customers, their channel identities, tickets, the outcome notices to
send and the audit trail."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timezone-aware values back naive; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    customer_number = Column(String(32), nullable=False, unique=True)
    display_name = Column(String(128), nullable=False)
    segment = Column(String(16), nullable=False, default="mass")
    preferred_language = Column(String(2), nullable=False, default="zh")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    # The mobile the bank sends one-time codes to; unique so that a code names one customer.
    phone = Column(String(16), nullable=True, unique=True)
    email = Column(String(254), nullable=True)
    address = Column(String(512), nullable=True)
    contact_preference = Column(String(16), nullable=False, default="this_channel")
    marketing_consent = Column(Boolean, nullable=False, default=False)
    # Key customers (affluent, private) have a named relationship manager.
    relationship_manager = Column(String(128), nullable=True)
    relationship_manager_agent_id = Column(String(64), nullable=True)

    identities = relationship("ChannelIdentity", back_populates="customer")


class ChannelIdentity(Base):
    """A channel sender (web session, phone number, WeChat openid) linked to a customer."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "sender_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(128), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True, index=True)
    verified_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)

    customer = relationship("Customer", back_populates="identities")


class AuditEvent(Base):
    """Who did what to which record, and when; values are stored masked."""

    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    occurred_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, index=True)
    actor = Column(String(128), nullable=False)
    action = Column(String(64), nullable=False)
    subject = Column(String(128), nullable=False)
    detail = Column(Text, nullable=False, default="")


class Ticket(Base):
    """A complaint (or callback request) with its SLA and the customer's verdict on the outcome."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_channel_sender", "channel", "sender_id"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    kind = Column(String(16), nullable=False, default="complaint")
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True, index=True)
    # The conversation that opened it; its sender can follow it up without verification.
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(128), nullable=False)
    language = Column(String(2), nullable=False)
    category = Column(String(32), nullable=False)
    description = Column(Text, nullable=False)
    amount = Column(String(32), nullable=True)
    currency = Column(String(3), nullable=True)
    incident_date = Column(Date, nullable=True)
    card_last_four = Column(String(4), nullable=True)
    desired_outcome = Column(String(256), nullable=False)
    contact_preference = Column(String(16), nullable=False)
    # The number to call or text, or the address to email, with the outcome (migration 0006);
    # a landline to call, with an extension, needs up to 20 characters (migration 0007).
    contact_phone = Column(String(24), nullable=True)
    contact_email = Column(String(254), nullable=True)
    priority = Column(String(8), nullable=False)
    status = Column(String(16), nullable=False, default="open", index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    sla_due_at = Column(DateTime(timezone=True), nullable=False, index=True)
    first_response_at = Column(DateTime(timezone=True), nullable=True)
    resolved_at = Column(DateTime(timezone=True), nullable=True)
    resolution = Column(Text, nullable=True)
    customer_accepted = Column(Boolean, nullable=True)
    customer_feedback = Column(Text, nullable=True)
    # The complaints-team agent working it (migration 0009); None: waiting in the queue.
    owner_agent_id = Column(String(64), nullable=True, index=True)
    claimed_at = Column(DateTime(timezone=True), nullable=True)
    # When its outcome's text or e-mail finally could not go (migration 0011): someone must
    # tell the customer. Cleared when an agent records that they did, or by the customer's
    # verdict (which shows they heard it).
    outcome_undelivered_at = Column(DateTime(timezone=True), nullable=True, index=True)

    events = relationship("TicketEvent", back_populates="ticket", order_by="TicketEvent.id")


class TicketEvent(Base):
    """One step of a ticket's history: a status change or a note, by whom."""

    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id"), nullable=False, index=True)
    occurred_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    actor = Column(String(128), nullable=False)
    status = Column(String(16), nullable=False)
    note = Column(Text, nullable=False, default="")

    ticket = relationship("Ticket", back_populates="events")


class OutboxNotice(Base):
    """A complaint's outcome to text or e-mail (migration 0010): written with the resolution,
    sent and retried by the handoff service's outbox worker (handoff/outcome/worker.py). The
    number or address is read from the ticket at each attempt, never stored here."""

    __tablename__ = "outcome_notices"
    __table_args__ = (Index("ix_outcome_notices_due", "status", "next_attempt_at"),
                      # Each SMS session start asks for the outcome last texted (tickets/texted.py).
                      Index("ix_outcome_notices_texted", "channel", "finished_at"))

    id = Column(Integer, primary_key=True)
    ticket_number = Column(String(20), ForeignKey("tickets.number"), nullable=False, index=True)
    channel = Column(String(8), nullable=False)  # sms or email
    # pending until sent, failed, not_configured, already_told, gave_up or superseded.
    status = Column(String(16), nullable=False, default="pending")
    # Attempts begun; a claim adds one only where it still reads the number it saw.
    attempts = Column(Integer, nullable=False, default=0)
    # When a worker may take it: the next retry, or the end of the current attempt's lease.
    next_attempt_at = Column(DateTime(timezone=True), nullable=False)
    # The handoff instance (KEFU_HANDOFF_INSTANCE) whose attempt it is; None between attempts.
    claimed_by = Column(String(128), nullable=True)
    # Why the last attempt failed, masked ("gateway answered 503"); never the destination.
    last_error = Column(String(256), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    finished_at = Column(DateTime(timezone=True), nullable=True)


class TicketCounter(Base):
    """The last ticket sequence number handed out on a day (Asia/Shanghai)."""

    __tablename__ = "ticket_counters"

    day = Column(String(8), primary_key=True)
    last_value = Column(Integer, nullable=False)


class CsatResponse(Base):
    """A customer's satisfaction score (1-5) at the end of a conversation, with a comment."""

    __tablename__ = "csat_responses"

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(128), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True)
    score = Column(Integer, nullable=False)
    comment = Column(Text, nullable=True)
    # "bot" when the bot alone served the customer, "agent" after a hand-over.
    served_by = Column(String(16), nullable=False)
    language = Column(String(2), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, index=True)


class VerificationCode(Base):
    """A one-time code sent by SMS to link a channel sender to a customer; stored hashed."""

    __tablename__ = "verification_codes"
    __table_args__ = (Index("ix_verification_codes_sender", "channel", "sender_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(128), nullable=False)
    phone = Column(String(16), nullable=False, index=True)
    # None when the phone belongs to no customer: the code is "sent" but can never match.
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True)
    code_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    used_at = Column(DateTime(timezone=True), nullable=True)


class Agent(Base):
    """A contact-center agent or supervisor who signs in to the handoff console."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    agent_id = Column(String(64), nullable=False, unique=True)
    # The name colleagues see, and Chinese-speaking customers.
    display_name = Column(String(128), nullable=False)
    # The name English-speaking customers see; display_name when empty.
    display_name_en = Column(String(128), nullable=True)
    role = Column(String(16), nullable=False, default="agent")  # "agent" or "supervisor"
    # argon2id; never the password itself.
    password_hash = Column(String(256), nullable=False)
    languages = Column(String(64), nullable=False, default="zh,en")
    skills = Column(String(256), nullable=False, default="general")
    max_chats = Column(Integer, nullable=False, default=3)
    enabled = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
