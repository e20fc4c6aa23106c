"""Prometheus metrics of the handoff service, in a registry per app."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Optional

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from redis.asyncio import Redis

from handoff.conversations import known_agents
from handoff.keys import ONLINE_AGENTS_KEY, QUEUE_KEY, agent_key
from handoff.outcome.notice import NOT_SENT
from handoff.outcome.outbox import CHANNELS
from handoff.reassignment import TARGET_AGENT, TO_QUEUE
from handoff.routing.rules import PRIORITY_RANK, PRIORITY_STEP_MS

WAIT_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
RELAY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass
class HandoffMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.queue_length = Gauge("kefu_handoff_queue_length", "Conversations waiting",
                                  ["priority"], registry=self.registry)
        self.active_chats = Gauge("kefu_handoff_active_chats",
                                  "Conversations agents hold now", registry=self.registry)
        self.agents_online = Gauge("kefu_handoff_agents_online", "Agents taking chats",
                                   registry=self.registry)
        self.wait_seconds = Histogram("kefu_handoff_wait_seconds",
                                      "From queued to an agent", buckets=WAIT_BUCKETS,
                                      registry=self.registry)
        self.relay_seconds = Histogram("kefu_handoff_relay_seconds",
                                       "Message delivery between customer and agent",
                                       ["direction"], buckets=RELAY_BUCKETS,
                                       registry=self.registry)
        self.handoffs = Counter("kefu_handoff_requests", "Handoffs queued", ["priority"],
                                registry=self.registry)
        self.resolved = Counter("kefu_handoff_resolved", "Conversations agents resolved",
                                registry=self.registry)
        self.offers_missed = Counter("kefu_handoff_offers_missed",
                                     "Offers withdrawn because the agent did not accept in time",
                                     registry=self.registry)
        self.overflowed = Counter("kefu_handoff_overflowed",
                                  "Conversations offered to an agent without their skill",
                                  registry=self.registry)
        self.reassigned = Counter("kefu_handoff_reassigned",
                                  "Conversations a supervisor reassigned, by target "
                                  "(agent, queue)", ["target"], registry=self.registry)
        self.returned_to_queue = Counter(
            "kefu_handoff_returned_to_queue", "Conversations returned to the queue because "
            "their agent's console stayed gone (KEFU_DISCONNECTED_RETURN_SECONDS)",
            registry=self.registry)
        self.shifts_ended = Counter(
            "kefu_handoff_shifts_ended", "Shifts ended because the agent's console was gone "
            "past the grace (KEFU_CONSOLE_GRACE_SECONDS)", registry=self.registry)
        self.outcome_sent = Counter("kefu_handoff_outcome_notices_sent",
                                    "Complaint outcomes sent by SMS or e-mail", ["channel"],
                                    registry=self.registry)
        self.outcome_retried = Counter(
            "kefu_handoff_outcome_notices_retried", "Complaint outcome attempts that failed "
            "for now and were set to be tried again", ["channel"], registry=self.registry)
        self.outcome_given_up = Counter(
            "kefu_handoff_outcome_notices_given_up", "Complaint outcomes given up after "
            "KEFU_OUTCOME_MAX_ATTEMPTS attempts", ["channel"], registry=self.registry)
        self.outcome_failed = Counter(
            "kefu_handoff_outcome_notices_failed", "Complaint outcomes not sent, not to be "
            "tried again: refused for good (status failed) or no gateway or relay "
            "(not_configured)", ["channel", "status"], registry=self.registry)
        self.outcome_pending = Gauge("kefu_handoff_outcome_notices_pending",
                                     "Complaint outcomes still to send (all instances; NaN "
                                     "when the database cannot be read)",
                                     registry=self.registry)
        # Every series from the start: a rate() or an alert sees 0, not nothing.
        for target in (TARGET_AGENT, TO_QUEUE):
            self.reassigned.labels(target)
        for channel in CHANNELS:
            for counter in (self.outcome_sent, self.outcome_retried, self.outcome_given_up):
                counter.labels(channel)
            for status in NOT_SENT:
                self.outcome_failed.labels(channel, status)

    async def refresh(self, redis: Redis,
                      pending_notices: Callable[[], Awaitable[Optional[int]]]) -> None:
        """Gauges are read from Redis and SQL when scraped, so every instance reports the
        truth; `pending_notices` is None when the outbox cannot be read."""
        pending = await pending_notices()
        self.outcome_pending.set(math.nan if pending is None else pending)
        for name, rank in PRIORITY_RANK.items():
            self.queue_length.labels(name).set(await redis.zcount(
                QUEUE_KEY, rank * PRIORITY_STEP_MS, (rank + 1) * PRIORITY_STEP_MS - 1))
        online = [member.decode() for member in await redis.smembers(ONLINE_AGENTS_KEY)]
        self.agents_online.set(len(online))
        total = 0
        for agent_id in await known_agents(redis):
            total += int(await redis.hget(agent_key(agent_id), "active") or 0)
        self.active_chats.set(total)

