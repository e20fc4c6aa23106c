"""Expected waits of queued customers, from measured handling times and the agents online.

Each online agent who could take the conversation clears chats at `max_chats` per median
handling time of its language and skill (at capacity, as they are while anyone waits), or
one per `seconds_per_queue_position` until enough chats are measured. The conversations
ahead that any of those agents could take must clear first, less the room they have now.
Cautious on purpose: those ahead may also go to agents this customer cannot have.

The handling times are read from Redis, not from the SQL audit rows: the dispatcher
re-estimates the whole queue on every pass that moves it, inside the event loop, and
finish.lua already holds the assignment time, language and skill that the audit rows
would need a join and a thread to give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Tuple

from redis.asyncio import Redis

from handoff.conversations import ConversationRecord, waiting
from handoff.handling_times import recent_handling_seconds, typical_seconds
from handoff.keys import ONLINE_AGENTS_KEY, agent_key
from handoff.routing.outcomes import text
from handoff.routing.rules import overflows


@dataclass(frozen=True)
class WaitSettings:
    # An agent's seconds per chat until measured (KEFU_SECONDS_PER_QUEUE_POSITION).
    seconds_per_chat: int = 180
    min_chats: int = 5
    window_minutes: int = 240
    # A conversation no skilled agent can take may go to others after this (0: never).
    overflow_seconds: int = 0


@dataclass(frozen=True)
class OnlineAgent:
    agent_id: str
    languages: FrozenSet[str]
    skills: FrozenSet[str]
    max_chats: int
    active: int

    @property
    def room(self) -> int:
        return max(0, self.max_chats - self.active)


@dataclass(frozen=True)
class QueueEstimate:
    record: ConversationRecord
    position: int
    # None: no agent who could take it is online, so there is no honest figure.
    seconds: Optional[int]

    @property
    def conversation_id(self) -> str:
        return self.record.conversation_id

    @property
    def minutes(self) -> Optional[int]:
        return None if self.seconds is None else customer_minutes(self.seconds)


def customer_minutes(seconds: float) -> int:
    """Minutes as a person says them: never 0; by the minute up to 10, then by 5, by 15
    beyond an hour."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes <= 10:
        return minutes
    step = 5 if minutes <= 60 else 15
    return math.ceil(minutes / step) * step


class WaitEstimator:
    def __init__(self, redis: Redis, settings: WaitSettings) -> None:
        self._redis = redis
        self._settings = settings

    async def queue(self, now_ms: int) -> List[QueueEstimate]:
        """Every waiting conversation, in queue order, with its expected wait."""
        records = await waiting(self._redis)
        agents = await online_agents(self._redis)
        since_ms = now_ms - self._settings.window_minutes * 60_000
        measured = await recent_handling_seconds(
            self._redis, {(r.language, r.skill) for r in records}, since_ms)
        handling = {group: typical_seconds(samples, self._settings.min_chats)
                    for group, samples in measured.items()}
        estimates = []
        # Conversations already counted, by the set of agents who could take them.
        ahead_by_takers: Dict[FrozenSet[str], int] = {}
        for position, record in enumerate(records, start=1):
            pool, by_overflow = self._pool(record, agents)
            pool_ids = frozenset(agent.agent_id for agent in pool)
            ahead = sum(count for takers, count in ahead_by_takers.items() if takers & pool_ids)
            seconds = self._seconds(pool, ahead, handling.get((record.language, record.skill)))
            if seconds is not None and by_overflow:
                seconds = max(seconds, self._until_overflow(record, now_ms))
            estimates.append(QueueEstimate(record, position, seconds))
            takers = frozenset(agent.agent_id for agent in agents.values()
                               if _could_take(agent, record, agents))
            ahead_by_takers[takers] = ahead_by_takers.get(takers, 0) + 1
        return estimates

    async def of(self, conversation_id: str, now_ms: int) -> Optional[QueueEstimate]:
        """The conversation's place and wait, or None when it is not waiting."""
        return next((estimate for estimate in await self.queue(now_ms)
                     if estimate.conversation_id == conversation_id), None)

    def _pool(self, record: ConversationRecord,
              agents: Dict[str, OnlineAgent]) -> Tuple[List[OnlineAgent], bool]:
        """The online agents routing may give it to (assign.lua's rules), and whether only
        by the skill overflow."""
        manager = agents.get(record.relationship_manager)
        if manager is not None:
            return [manager], False
        speaking = [a for a in agents.values() if record.language in a.languages]
        skilled = [a for a in speaking if record.skill in a.skills]
        if skilled or self._settings.overflow_seconds == 0:
            return skilled, False
        return speaking, True

    def _seconds(self, pool: List[OnlineAgent], ahead: int,
                 typical: Optional[float]) -> Optional[int]:
        """None without an agent; otherwise the wait for the pool to clear those ahead."""
        if not pool:
            return None
        # Chats per second the pool clears.
        rate = sum(agent.max_chats / typical if typical else 1 / self._settings.seconds_per_chat
                   for agent in pool)
        to_clear = max(0, ahead + 1 - sum(agent.room for agent in pool))
        return math.ceil(to_clear / rate)

    def _until_overflow(self, record: ConversationRecord, now_ms: int) -> int:
        """Seconds until the skill overflow lets an agent without the skill take it."""
        enqueued_at = int(record.fields.get("enqueued_at") or now_ms)
        overflow_ms = self._settings.overflow_seconds * 1000
        if overflows(enqueued_at, now_ms, overflow_ms):
            return 0
        return math.ceil((enqueued_at + overflow_ms - now_ms) / 1000)


def _could_take(agent: OnlineAgent, record: ConversationRecord,
                agents: Dict[str, OnlineAgent]) -> bool:
    manager = agents.get(record.relationship_manager)
    if manager is not None:
        return manager.agent_id == agent.agent_id
    return record.language in agent.languages and record.skill in agent.skills


async def online_agents(redis: Redis) -> Dict[str, OnlineAgent]:
    """The agents taking chats, with their capacity and load (agents at 0 capacity left out)."""
    ids = sorted(text(member) for member in await redis.smembers(ONLINE_AGENTS_KEY))
    async with redis.pipeline(transaction=False) as pipe:
        for agent_id in ids:
            pipe.hmget(agent_key(agent_id), "languages", "skills", "max_chats", "active")
        stored = await pipe.execute()
    agents = {}
    for agent_id, (languages, skills, max_chats, active) in zip(ids, stored, strict=True):
        agent = OnlineAgent(agent_id, _names(languages), _names(skills),
                            int(max_chats or 0), int(active or 0))
        if agent.max_chats > 0:
            agents[agent_id] = agent
    return agents


def _names(stored: Optional[bytes]) -> FrozenSet[str]:
    return frozenset(name for name in text(stored or b"").split(",") if name)
