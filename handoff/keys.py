"""Typed application-state keys and Redis key names of the handoff service."""

from __future__ import annotations

from aiohttp import ClientSession, web
from redis.asyncio import Redis
from sqlalchemy.orm import sessionmaker

from handoff.settings import HandoffSettings

settings_key = web.AppKey("settings", HandoffSettings)
redis_key = web.AppKey("redis", Redis)
http_key = web.AppKey("http", ClientSession)
sql_sessions_key = web.AppKey("sql_sessions", sessionmaker)

QUEUE_KEY = "kefu:handoff:queue"


def request_key(conversation_id: str) -> str:
    return f"kefu:handoff:request:{conversation_id}"
