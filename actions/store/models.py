"""SQLAlchemy models: customers, their channel identities, and the audit trail."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    customer_number = Column(String(32), nullable=False, unique=True)
    display_name = Column(String(128), nullable=False)
    segment = Column(String(16), nullable=False, default="mass")
    preferred_language = Column(String(2), nullable=False, default="zh")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)

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
