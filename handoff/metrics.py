"""Prometheus metrics of the handoff service, in a registry per app."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from redis.asyncio import Redis

from handoff.conversations import known_agents
from handoff.keys import ONLINE_AGENTS_KEY, QUEUE_KEY, agent_key
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

    async def refresh(self, redis: Redis) -> None:
        """Gauges are read from Redis when scraped, so every instance reports the truth."""
        for name, rank in PRIORITY_RANK.items():
            self.queue_length.labels(name).set(await redis.zcount(
                QUEUE_KEY, rank * PRIORITY_STEP_MS, (rank + 1) * PRIORITY_STEP_MS - 1))
        online = [member.decode() for member in await redis.smembers(ONLINE_AGENTS_KEY)]
        self.agents_online.set(len(online))
        total = 0
        for agent_id in await known_agents(redis):
            total += int(await redis.hget(agent_key(agent_id), "active") or 0)
        self.active_chats.set(total)

