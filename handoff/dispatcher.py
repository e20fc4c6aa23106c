"""Dispatcher: runs routing passes when something changes (and every few seconds, in case
another instance changed it): withdraws offers not accepted in time, ends the shifts of
agents whose console is gone and, later, gives their customers back to the queue, gives
waiting conversations to agents, then tells agents what they were given or lost and
customers their new place in the queue."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Callable, Coroutine, Dict, List, Optional, Set

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from handoff.audit import audit_system
from handoff.console_leases import ConsoleLeases
from handoff.conversations import load_record
from handoff.disconnected_returns import DisconnectedReturns
from handoff.keys import WAITS_KEY, conversation_key
from handoff.live import ALL_AGENTS, SUPERVISORS, LiveHub, agent_audience
from handoff.metrics import HandoffMetrics
from handoff.missed_offers import OFFER_WITHDRAWN
from handoff.rasa_client import RasaClient
from handoff.routing.assign import Assignment, AssignWaiting
from handoff.routing.clock import now_ms
from handoff.routing.scripts import RoutingScripts
from handoff.routing.withdraw import WithdrawExpiredOffers, WithdrawnOffer
from handoff.shift_ends import DisconnectedShifts
from handoff.texts import notice
from handoff.wait_estimate import QueueEstimate, WaitEstimator

logger = logging.getLogger(__name__)

PASS_INTERVAL_SECONDS = 2.0
# The waits kept for the supervisor's p50/p95.
WAITS_KEPT = 1000


@dataclass(frozen=True)
class RoutingTimes:
    # An offer not accepted within this is withdrawn and the agent set away.
    offer_seconds: int = 60
    # After this wait a conversation may go to an agent without its skill (0: never).
    skill_overflow_seconds: int = 300
    # A disconnected agent's customers go back to the queue this long after their shift
    # ended (0: never).
    disconnected_return_seconds: int = 300


class Dispatcher:
    def __init__(self, redis: Redis, scripts: RoutingScripts, live: LiveHub,
                 customers: RasaClient, metrics: HandoffMetrics,
                 estimator: WaitEstimator, audit_sessions: sessionmaker[Session],
                 leases: ConsoleLeases, times: RoutingTimes = RoutingTimes(),
                 clock: Callable[[], int] = now_ms) -> None:
        self._redis = redis
        self._clock = clock
        self._withdraw = WithdrawExpiredOffers(scripts, times.offer_seconds)
        self._assign = AssignWaiting(scripts, times.skill_overflow_seconds)
        self._shifts = DisconnectedShifts(scripts, leases, live, audit_sessions, metrics)
        self._returns = DisconnectedReturns(scripts, redis, times.disconnected_return_seconds,
                                            live, audit_sessions, metrics, self.send_later)
        self._audit_sessions = audit_sessions
        self._live = live
        self._customers = customers
        self._metrics = metrics
        self._estimator = estimator
        self._wake = asyncio.Event()
        # Notices in flight: sent beside the routing, which must not wait for Rasa
        # (a notice waits for the conversation's lock while Rasa handles a message).
        self._notices: Set[asyncio.Task[Any]] = set()

    def wake(self) -> None:
        self._wake.set()

    def send_later(self, conversation_id: str, text: str, metadata: Dict[str, Any]) -> None:
        """Send a notice to the customer without waiting for Rasa to deliver it."""
        self.later(self._customers.send_bot_message(conversation_id, text, metadata))

    def later(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` beside the request that asked for it (it waits for Rasa)."""
        task = asyncio.create_task(work)
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(self._wake.wait(), PASS_INTERVAL_SECONDS)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.route_once()
            except RedisError as error:
                logger.error("dispatcher.redis_error error=%s", type(error).__name__)

    async def route_once(self, at_ms: Optional[int] = None) -> List[Assignment]:
        """One pass at `at_ms` (now when None): expired offers, shifts and disconnected
        agents' customers first, so that what they release can go to another agent in the
        same pass."""
        moment = at_ms if at_ms is not None else self._clock()
        withdrawn = await self._withdraw.call(moment)
        for offer in withdrawn:
            await self._tell_withdrawn(offer)
        for agent_id in sorted({offer.agent_id for offer in withdrawn}):
            await self._live.publish([SUPERVISORS], {
                "type": "presence", "agent_id": agent_id, "presence": "away"})
        ended = await self._shifts.call(moment)
        returned = await self._returns.call(moment)
        released = bool(withdrawn or returned) or any(shift.withdrawn for shift in ended)
        assignments = await self._assign.call(moment)
        for assignment in assignments:
            self._metrics.wait_seconds.observe(assignment.waited_ms / 1000)
            await self._redis.lpush(WAITS_KEY, assignment.waited_ms)
            overflowed = assignment.overflowed
            if overflowed:
                self._metrics.overflowed.inc()
            logger.info("handoff.assigned agent=%s waited_ms=%s overflowed=%s",
                        assignment.agent_id, assignment.waited_ms, overflowed)
            await self._live.publish([agent_audience(assignment.agent_id), SUPERVISORS], {
                "type": "offered", "conversation_id": assignment.conversation_id,
                "agent_id": assignment.agent_id, "overflowed": overflowed})
        if assignments:
            await self._redis.ltrim(WAITS_KEY, 0, WAITS_KEPT - 1)
        if assignments or released:
            await self._live.publish([ALL_AGENTS], {"type": "queue_changed"})
            await self.tell_positions()
        return assignments

    async def _tell_withdrawn(self, offer: WithdrawnOffer) -> None:
        """The agent's console, supervisors, the metric and the audit trail; the customer
        is still waiting and hears nothing new."""
        self._metrics.offers_missed.inc()
        logger.warning("handoff.offer_withdrawn agent=%s offered_ms=%s", offer.agent_id,
                       offer.offered_ms)
        # The row first: supervisors' consoles read the missed offers on the event.
        try:
            await audit_system(self._audit_sessions, OFFER_WITHDRAWN,
                               offer.conversation_id, agent=offer.agent_id,
                               offered_seconds=round(offer.offered_ms / 1000),
                               agent_presence="away")
        except SQLAlchemyError as error:
            # Redis already moved it back: the routing stands without its audit row.
            logger.error("audit.failed action=%s error=%s", OFFER_WITHDRAWN,
                         type(error).__name__)
        await self._live.publish([agent_audience(offer.agent_id), SUPERVISORS], {
            "type": "offer_withdrawn", "conversation_id": offer.conversation_id,
            "agent_id": offer.agent_id, "presence": "away"})

    async def tell_positions(self) -> None:
        """Tell each waiting customer whose place improved where they now are."""
        for estimate in await self._estimator.queue(self._clock()):
            told = int(estimate.record.fields.get("told_position") or 0)
            if not told or estimate.position < told:
                await self._tell_place(estimate)

    async def answer_queue_question(self, conversation_id: str) -> None:
        """A customer waiting for an agent asked how much longer: their place and a fresh
        estimate, or that an agent is taking the conversation now."""
        record = await load_record(self._redis, conversation_id)
        if record is not None and record.status == "assigned":
            self.send_later(record.reply_to, notice("agent_coming", record.language),
                            {"kefu_notice": "agent_coming"})
            return
        estimate = await self._estimator.of(conversation_id, self._clock())
        if estimate is not None:
            await self._tell_place(estimate)

    async def _tell_place(self, estimate: QueueEstimate) -> None:
        record, position = estimate.record, estimate.position
        await self._redis.hset(conversation_key(record.conversation_id), "told_position",
                               position)
        if estimate.minutes is None:
            kind, text = "queue_position_unknown", notice(
                "queue_position_unknown", record.language, position=position)
        else:
            kind, text = "queue_position", notice(
                "queue_position", record.language, position=position, minutes=estimate.minutes)
        self.send_later(record.reply_to, text, {"kefu_notice": kind, "position": position})
