"""The safety net behind shifts that end with a lost console: the customers such an agent
kept go back to the queue at their old places once the agent has not come back for a while
longer, told in their language, audited and announced as a supervisor's reassignment is."""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List

from redis.asyncio import Redis
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from handoff.audit import audit_system
from handoff.conversations import load_record
from handoff.live import LiveHub
from handoff.metrics import HandoffMetrics
from handoff.reassignment import (
    AGENT_DISCONNECTED,
    BY_SYSTEM,
    REASSIGNED,
    TO_QUEUE,
    audience,
    customer_notice,
    reassigned_event,
)
from handoff.routing.return_disconnected import Returned, ReturnFromDisconnected
from handoff.routing.scripts import RoutingScripts
from handoff.texts import notice

logger = logging.getLogger(__name__)

# Sends a notice to a customer beside the routing pass: conversation, text, metadata.
SendLater = Callable[[str, str, Dict[str, Any]], None]


class DisconnectedReturns:
    def __init__(self, scripts: RoutingScripts, redis: Redis, wait_seconds: int,
                 live: LiveHub, audit_sessions: sessionmaker[Session],
                 metrics: HandoffMetrics, send_later: SendLater) -> None:
        self._return = ReturnFromDisconnected(scripts, wait_seconds) if wait_seconds else None
        self._redis = redis
        self._live = live
        self._audit_sessions = audit_sessions
        self._metrics = metrics
        self._send_later = send_later

    async def call(self, at_ms: int) -> List[Returned]:
        """The conversations this pass put back in the queue (none when turned off)."""
        if self._return is None:
            return []
        returned = await self._return.call(at_ms)
        for conversation in returned:
            await self._tell(conversation, at_ms)
        return returned

    async def _tell(self, returned: Returned, at_ms: int) -> None:
        # return_disconnected.lua has moved it: nothing after this undoes it.
        self._metrics.returned_to_queue.inc()
        gone_seconds = round((at_ms - returned.last_seen_ms) / 1000)
        logger.warning("handoff.returned_to_queue agent=%s reason=%s gone_s=%s accepted=%s",
                       returned.agent_id, AGENT_DISCONNECTED, gone_seconds,
                       returned.was_accepted)
        try:
            await audit_system(self._audit_sessions, REASSIGNED, returned.conversation_id,
                               **{"from": returned.agent_id, "to": TO_QUEUE,
                                  "reason": AGENT_DISCONNECTED,
                                  "console_gone_seconds": gone_seconds})
        except SQLAlchemyError as error:
            # Redis already moved it back: the routing stands without its audit row.
            logger.error("audit.failed action=%s error=%s", REASSIGNED, type(error).__name__)
        await self._live.publish(audience(returned.agent_id, None), reassigned_event(
            returned.conversation_id, returned.agent_id, None, by=BY_SYSTEM,
            reason=AGENT_DISCONNECTED))
        record = await load_record(self._redis, returned.conversation_id)
        if record is not None and returned.was_accepted:
            kind = customer_notice(None)
            self._send_later(record.reply_to, notice(kind, record.language),
                             {"kefu_notice": kind})
