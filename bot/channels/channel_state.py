"""The Redis connection a channel keeps its state in (seen message ids, choices, opt-outs)."""

from __future__ import annotations

from typing import Optional

import redis.asyncio as aioredis


class ChannelRedis:
    """Connects on first use, inside the event loop that serves requests (Sanic's, not the
    one the channel was built in)."""

    def __init__(self, redis_url: str) -> None:
        self._url = redis_url
        self._client: Optional[aioredis.Redis] = None

    @property
    def client(self) -> aioredis.Redis:
        if self._client is None:
            self._client = aioredis.Redis.from_url(
                self._url, socket_timeout=2.0, socket_connect_timeout=2.0)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
