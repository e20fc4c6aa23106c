"""Tell the agents' consoles that a ticket changed outside the handoff service: a complaint
the bot filed, a verdict that closed or reopened one. The handoff service listens on this
Redis channel (handoff/live.py) and refreshes the complaints lists and an open detail."""

from __future__ import annotations

import logging
from typing import Optional

from redis.asyncio import Redis
from redis.exceptions import RedisError

from actions.redis_url import redis_url

logger = logging.getLogger(__name__)

TICKET_CHANGES_CHANNEL = "kefu:tickets:changed"


async def announce_ticket_change(number: str, url: Optional[str] = None) -> None:
    """Best effort: the change is stored already and consoles also refresh on a timer, so a
    Redis failure is logged, never raised. `url`: REDIS_URL's when None."""
    redis = Redis.from_url(url or redis_url())
    try:
        await redis.publish(TICKET_CHANGES_CHANNEL, number)
    except RedisError as error:
        logger.warning("ticket.change_not_announced ticket=%s error=%s", number,
                       type(error).__name__)
    finally:
        await redis.close()
