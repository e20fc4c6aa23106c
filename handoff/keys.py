"""Typed application-state keys and Redis key names of the handoff service."""

from __future__ import annotations

from aiohttp import web
from redis.asyncio import Redis

from handoff.settings import HandoffSettings

settings_key = web.AppKey("settings", HandoffSettings)
redis_key = web.AppKey("redis", Redis)

QUEUE_KEY = "kefu:handoff:queue"


def request_key(conversation_id: str) -> str:
    return f"kefu:handoff:request:{conversation_id}"
