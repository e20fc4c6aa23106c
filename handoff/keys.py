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

# Every Redis key of the service starts with this; the Lua scripts build theirs from it
# (one Redis, not a cluster: the scripts touch keys they discover).
PREFIX = "kefu:handoff:"
QUEUE_KEY = f"{PREFIX}queue"
ONLINE_AGENTS_KEY = f"{PREFIX}agents:online"
ON_SHIFT_AGENTS_KEY = f"{PREFIX}agents:on_shift"
# Agent id -> until when (ms) their console counts as connected (renewed while it is).
CONSOLE_LEASES_KEY = f"{PREFIX}agents:console_until"
# Agent id -> when (ms) their shift ended by a lost console while they held conversations.
DISCONNECTED_AGENTS_KEY = f"{PREFIX}agents:disconnected"
WAITS_KEY = f"{PREFIX}waits"
LIVE_CHANNEL = f"{PREFIX}live"


def conversation_key(conversation_id: str) -> str:
    return f"{PREFIX}conv:{conversation_id}"


def buttons_key(sender_id: str) -> str:
    """The titles of the last buttons the bot showed a sender, by payload."""
    return f"{PREFIX}buttons:{sender_id}"


def messages_key(conversation_id: str) -> str:
    return f"{PREFIX}messages:{conversation_id}"


def agent_key(agent_id: str) -> str:
    return f"{PREFIX}agent:{agent_id}"


def agent_chats_key(agent_id: str) -> str:
    return f"{PREFIX}agent:{agent_id}:chats"


def agent_unread_key(agent_id: str) -> str:
    return f"{PREFIX}agent:{agent_id}:unread"


def session_key(token_hash: str) -> str:
    return f"{PREFIX}session:{token_hash}"


def viewed_key(agent_id: str, conversation_id: str) -> str:
    return f"{PREFIX}viewed:{agent_id}:{conversation_id}"


def customer_handoff_key(customer_number: str) -> str:
    """The conversation holding a customer's open handoff, whatever channel it began on."""
    return f"{PREFIX}customer:{customer_number}"


def alias_key(sender_id: str) -> str:
    """A sender on another channel joined to a customer's open handoff: its conversation."""
    return f"{PREFIX}alias:{sender_id}"


def joined_senders_key(conversation_id: str) -> str:
    return f"{PREFIX}joined:{conversation_id}"


def handled_key(language: str, skill: str) -> str:
    """The latest handling times of resolved conversations of this language and skill."""
    return f"{PREFIX}handled:{language}:{skill}"
