"""Every agent action, written to the audit trail (values masked by the caller)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict

from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import AuditEvent

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


def agent_actor(agent_id: str) -> str:
    return f"agent:{agent_id}"


def audit_row(actor: str, action: str, subject: str, **detail: Any) -> AuditEvent:
    """A row for the caller's own transaction (stored with what it records, or not at all)."""
    return AuditEvent(actor=actor, action=action, subject=subject,
                      detail=json.dumps(detail, ensure_ascii=False))


def log_audited(actor: str, action: str, subject: str) -> None:
    logger.info("audit actor=%s action=%s subject=%s", actor, action, subject)


def _write(sessions: sessionmaker[Session], actor: str, action: str, subject: str,
           detail: Dict[str, Any]) -> None:
    with sessions() as session:
        session.add(audit_row(actor, action, subject, **detail))
        session.commit()


async def audit(sessions: sessionmaker[Session], actor: str, action: str, subject: str,
                **detail: Any) -> None:
    # SQL drivers block: the write runs in a worker thread, off the event loop.
    await asyncio.to_thread(_write, sessions, agent_actor(actor), action, subject, detail)
    log_audited(actor, action, subject)


async def audit_system(sessions: sessionmaker[Session], action: str, subject: str,
                       **detail: Any) -> None:
    """What kefu did by itself (no agent acted), with actor `system`."""
    await asyncio.to_thread(_write, sessions, SYSTEM_ACTOR, action, subject, detail)
    log_audited(SYSTEM_ACTOR, action, subject)
