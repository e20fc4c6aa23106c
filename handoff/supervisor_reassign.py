"""ReassignBySupervisor: a supervisor moves a conversation an agent holds (offered or
accepted), whatever the agent's state, to a colleague who serves it or back to the queue at
its old place. A customer who was talking with the agent is told in their language; the
previous holder's console drops it, the new holder is offered it, supervisors see it, and
the audit trail records it with the supervisor as actor."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Optional

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.orm import Session, sessionmaker

from handoff.agents import AccountCache, AgentAccount
from handoff.audit import audit
from handoff.conversations import ConversationRecord, load_record
from handoff.keys import redis_key, sql_sessions_key
from handoff.live import LiveHub
from handoff.metrics import HandoffMetrics
from handoff.rasa_client import RasaClient
from handoff.reassignment import (
    REASSIGNED,
    TARGET_AGENT,
    TO_QUEUE,
    audience,
    customer_notice,
    reassigned_event,
)
from handoff.routing.outcomes import RoutingRefused
from handoff.routing.reassign import ReassignConversation, Reassignment
from handoff.routing.scripts import RoutingScripts
from handoff.state import (
    accounts_key,
    dispatcher_key,
    live_key,
    metrics_key,
    rasa_key,
    routing_clock_key,
    scripts_key,
)
from handoff.texts import notice

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reassigned:
    reassignment: Reassignment
    # The customer was talking with the previous holder and Rasa took the notice.
    customer_notified: bool


class ReassignBySupervisor:
    def __init__(self, scripts: RoutingScripts, redis: Redis, accounts: AccountCache,
                 live: LiveHub, customers: RasaClient, sessions: sessionmaker[Session],
                 metrics: HandoffMetrics, wake_routing: Callable[[], None],
                 clock: Callable[[], int]) -> None:
        self._reassign = ReassignConversation(scripts)
        self._redis = redis
        self._accounts = accounts
        self._live = live
        self._customers = customers
        self._sessions = sessions
        self._metrics = metrics
        self._wake_routing = wake_routing
        self._clock = clock

    @classmethod
    def of(cls, app: web.Application) -> ReassignBySupervisor:
        return cls(app[scripts_key], app[redis_key], app[accounts_key], app[live_key],
                   app[rasa_key], app[sql_sessions_key], app[metrics_key],
                   app[dispatcher_key].wake, app[routing_clock_key])

    async def call(self, *, supervisor: AgentAccount, conversation_id: str,
                   to_agent_id: Optional[str]) -> Reassigned:
        """To `to_agent_id` (offered to them), or the queue when None; RoutingRefused with
        the reason otherwise, and nothing changed."""
        if supervisor.role != "supervisor":
            raise RoutingRefused("supervisors_only")
        record = await load_record(self._redis, conversation_id)
        if record is None:
            raise RoutingRefused("no_conversation")
        if to_agent_id is not None and await self._accounts.get(to_agent_id) is None:
            raise RoutingRefused("unknown_agent")
        done = await self._reassign.call(conversation_id, to_agent_id, at_ms=self._clock())
        # reassign.lua has moved it (a refusal raised above): nothing after this undoes it.
        self._metrics.reassigned.labels(TARGET_AGENT if to_agent_id else TO_QUEUE).inc()
        notified = await self._tell_customer(record, done)
        logger.info("handoff.reassigned supervisor=%s from=%s to=%s accepted=%s notified=%s",
                    supervisor.agent_id, done.from_agent, to_agent_id or TO_QUEUE,
                    done.was_accepted, notified)
        await self._live.publish(audience(done.from_agent, to_agent_id), reassigned_event(
            conversation_id, done.from_agent, to_agent_id, by=supervisor.agent_id))
        self._wake_routing()
        await audit(self._sessions, supervisor.agent_id, REASSIGNED, conversation_id,
                    **{"from": done.from_agent, "to": to_agent_id or TO_QUEUE,
                       "was_accepted": done.was_accepted, "customer_notified": notified})
        return Reassigned(done, notified)

    async def _tell_customer(self, record: ConversationRecord, done: Reassignment) -> bool:
        """Only a customer who was talking with the agent: an offer they never saw changes
        nothing for them (the next agent greets them on accepting)."""
        if not done.was_accepted:
            return False
        kind = customer_notice(done.to_agent)
        return await self._customers.send_bot_message(
            record.reply_to, notice(kind, record.language), {"kefu_notice": kind})
