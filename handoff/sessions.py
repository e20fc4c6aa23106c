"""Agents' sign-in sessions in Redis, and their CSRF tokens.

The browser holds a random session token in an HttpOnly, SameSite=Strict cookie; Redis
holds only its SHA-256. Every state-changing request must also carry the session's CSRF
token in the X-CSRF-Token header (the console reads it from the sign-in answer).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from redis.asyncio import Redis

from handoff.keys import PREFIX, session_key

SESSION_COOKIE = "kefu_agent_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 8 * 3600
# Wrong passwords allowed per agent id in LOGIN_WINDOW_SECONDS before sign-in is refused.
MAX_FAILED_LOGINS = 5
LOGIN_WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class AgentSession:
    agent_id: str
    role: str
    csrf_token: str

    def csrf_matches(self, presented: str) -> bool:
        return hmac.compare_digest(presented.encode(), self.csrf_token.encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(redis: Redis, agent_id: str, role: str) -> tuple[str, AgentSession]:
    """A new session: (the cookie's token, the session)."""
    token = secrets.token_urlsafe(32)
    session = AgentSession(agent_id=agent_id, role=role, csrf_token=secrets.token_urlsafe(32))
    await redis.hset(session_key(_digest(token)), mapping={
        "agent_id": agent_id, "role": role, "csrf": session.csrf_token})
    await redis.expire(session_key(_digest(token)), SESSION_SECONDS)
    return token, session


async def find_session(redis: Redis, token: str) -> Optional[AgentSession]:
    """The live session of this cookie, its lifetime renewed; None when unknown or expired."""
    if not token or len(token) > 128:
        return None
    key = session_key(_digest(token))
    stored = await redis.hgetall(key)
    if not stored:
        return None
    await redis.expire(key, SESSION_SECONDS)
    values = {name.decode(): value.decode() for name, value in stored.items()}
    return AgentSession(values["agent_id"], values["role"], values["csrf"])


async def close_session(redis: Redis, token: str) -> None:
    await redis.delete(session_key(_digest(token)))


def _failures_key(agent_id: str) -> str:
    return f"{PREFIX}login-failures:{_digest(agent_id)}"


async def login_blocked(redis: Redis, agent_id: str) -> bool:
    return int(await redis.get(_failures_key(agent_id)) or 0) >= MAX_FAILED_LOGINS


async def record_failed_login(redis: Redis, agent_id: str) -> None:
    key = _failures_key(agent_id)
    if await redis.incr(key) == 1:
        await redis.expire(key, LOGIN_WINDOW_SECONDS)


async def clear_failed_logins(redis: Redis, agent_id: str) -> None:
    await redis.delete(_failures_key(agent_id))
