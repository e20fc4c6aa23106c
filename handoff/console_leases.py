"""Console leases: the instance holding an agent's live console renews a deadline in Redis
(on the routing clock); once it has run out, no instance has heard from the console for
the grace period and the agent's shift ends (handoff/shift_ends.py)."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from redis.asyncio import Redis

from handoff.keys import CONSOLE_LEASES_KEY
from handoff.routing.clock import now_ms


class ConsoleLeases:
    def __init__(self, redis: Redis, grace_seconds: int,
                 clock: Callable[[], int] = now_ms) -> None:
        self._redis = redis
        self._clock = clock
        self.grace_seconds = grace_seconds

    async def renew(self, agent_ids: Iterable[str], at_ms: Optional[int] = None) -> None:
        """The agents' consoles count as connected for the grace period from `at_ms`."""
        until = (at_ms if at_ms is not None else self._clock()) + self.grace_seconds * 1000
        leases = {agent_id: until for agent_id in agent_ids}
        if leases:
            # Only ever later: an instance whose clock lags cannot shorten another's lease.
            await self._redis.zadd(CONSOLE_LEASES_KEY, leases, gt=True)
