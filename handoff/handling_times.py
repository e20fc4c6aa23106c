"""Measured handling times: how long resolved conversations held their agent.

`finish.lua` records each resolution as `<resolved ms>:<handled ms>` in a list per
language and skill (the latest `HANDLED_KEPT`); the wait estimates read them here.
"""

from __future__ import annotations

import statistics
from typing import Dict, Iterable, List, Optional, Tuple

from redis.asyncio import Redis

from handoff.keys import handled_key
from handoff.routing.outcomes import text

Group = Tuple[str, str]  # (language, skill)


async def recent_handling_seconds(redis: Redis, groups: Iterable[Group],
                                  since_ms: int) -> Dict[Group, List[float]]:
    """The handling times (s) of each group's conversations resolved at or after `since_ms`."""
    wanted = sorted(set(groups))
    async with redis.pipeline(transaction=False) as pipe:
        for language, skill in wanted:
            pipe.lrange(handled_key(language, skill), 0, -1)
        stored = await pipe.execute()
    return {group: [handled_ms / 1000 for resolved_ms, handled_ms in map(_parsed, entries)
                    if resolved_ms >= since_ms]
            for group, entries in zip(wanted, stored, strict=True)}


def typical_seconds(samples: List[float], min_samples: int) -> Optional[float]:
    """The median (one chat forgotten overnight must not move it), or None with too few."""
    if len(samples) < min_samples or not samples:
        return None
    return float(statistics.median(samples))


def _parsed(entry: bytes | str) -> Tuple[int, int]:
    resolved_ms, handled_ms = text(entry).split(":")
    return int(resolved_ms), int(handled_ms)
