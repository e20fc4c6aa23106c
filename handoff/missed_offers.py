"""Offers not accepted in time, read back from the audit trail (the dispatcher writes one
row per withdrawal, actor `system`) for the supervisor's view."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Dict, List

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import AuditEvent, as_utc
from handoff.audit import SYSTEM_ACTOR

OFFER_WITHDRAWN = "conversation.offer_withdrawn"


@dataclass(frozen=True)
class MissedOffer:
    conversation_id: str
    agent_id: str
    offered_seconds: int
    occurred_at: dt.datetime

    @classmethod
    def of(cls, row: AuditEvent) -> MissedOffer:
        detail: Dict[str, Any] = json.loads(row.detail or "{}")
        return cls(conversation_id=row.subject, agent_id=str(detail.get("agent", "")),
                   offered_seconds=int(detail.get("offered_seconds") or 0),
                   occurred_at=as_utc(row.occurred_at))

    def as_json(self) -> Dict[str, Any]:
        return {"conversation_id": self.conversation_id, "agent_id": self.agent_id,
                "offered_seconds": self.offered_seconds,
                "occurred_at": self.occurred_at.isoformat()}


@dataclass(frozen=True)
class MissedOffers:
    # All withdrawals since the start of the period; `offers` holds the newest of them.
    count: int
    offers: List[MissedOffer]


def missed_since(sessions: sessionmaker[Session], since: dt.datetime,
                 limit: int) -> MissedOffers:
    """Withdrawals at or after `since`, newest first, at most `limit` (a blocking SQL read)."""
    withdrawn = (AuditEvent.action == OFFER_WITHDRAWN) & (AuditEvent.actor == SYSTEM_ACTOR) \
        & (AuditEvent.occurred_at >= since)
    with sessions() as session:
        count = session.execute(select(func.count()).where(withdrawn)).scalar_one()
        rows = session.execute(select(AuditEvent).where(withdrawn).order_by(
            AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)).scalars()
        return MissedOffers(count=int(count), offers=[MissedOffer.of(row) for row in rows])
