"""Reading handed-over conversations from Redis: records, messages, queues."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from redis.asyncio import Redis

from actions.identity.profile import mask_phone
from actions.tickets.contact import stored_forms
from handoff.customer_mark import customer_mark
from handoff.keys import (
    ONLINE_AGENTS_KEY,
    QUEUE_KEY,
    agent_chats_key,
    agent_key,
    agent_unread_key,
    conversation_key,
    messages_key,
)


@dataclass(frozen=True)
class ConversationRecord:
    conversation_id: str
    fields: Dict[str, str]

    @property
    def status(self) -> str:
        return self.fields.get("status", "")

    @property
    def agent(self) -> str:
        return self.fields.get("agent", "")

    @property
    def language(self) -> str:
        return self.fields.get("language", "zh")

    @property
    def skill(self) -> str:
        return self.fields.get("skill", "general")

    @property
    def relationship_manager(self) -> str:
        return self.fields.get("rm", "")

    @property
    def overflowed(self) -> bool:
        return self.fields.get("overflowed") == "1"

    @property
    def reply_to(self) -> str:
        """Where the customer last wrote: this conversation, or theirs on another channel."""
        return self.fields.get("reply_to") or self.conversation_id

    @property
    def reply_channel(self) -> str:
        return self.fields.get("reply_channel") or self.fields.get("channel", "")

    @property
    def request(self) -> Dict[str, Any]:
        return json.loads(self.fields.get("request") or "{}")

    @property
    def customer_phone(self) -> Optional[str]:
        """The customer's phone, masked as everywhere (mask_phone): the verified customer's,
        else an SMS conversation's own number (its id); None when neither is known."""
        # Masked at the handoff already; masking again is a no-op that makes sure of it.
        phone = (self.request.get("customer") or {}).get("phone")
        masked = mask_phone(str(phone) if phone else None)
        if masked != mask_phone(None):
            return masked
        forms = stored_forms(self.conversation_id)
        return mask_phone(forms[-1]) if forms else None

    def who(self) -> Dict[str, Any]:
        """Whom the conversation is with, as a console titles it instead of its id."""
        request = self.request
        customer = request.get("customer") or {}
        return {
            "conversation_id": self.conversation_id,
            # Where the customer is now (the agent's replies go there), not where they began.
            "channel": self.reply_channel or request.get("channel"),
            "customer_name": customer.get("display_name"),
            "customer_verified": bool(customer),
            # Tells unverified customers apart ("未验证客户 #4F2A"); a verified one has a name.
            "customer_mark": None if customer else customer_mark(self.fields.get("handoff_id", "")),
            "customer_phone": self.customer_phone,
            "reason": self.fields.get("reason") or request.get("reason"),
            "summary": request.get("summary", ""),
        }

    def summary(self, now_ms: Optional[int] = None) -> Dict[str, Any]:
        """What a list of conversations shows: no transcript."""
        request = self.request
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        return {
            **self.who(),
            "status": self.status,
            "agent_id": self.agent or None,
            "priority": self.fields.get("priority", "normal"),
            "language": self.language,
            "skill": self.skill,
            "segment": (request.get("customer") or {}).get("segment"),
            "waited_seconds": round((now - int(self.fields.get("enqueued_at") or now)) / 1000),
            "emotion_trajectory": request.get("emotion_trajectory", []),
            # Offered to an agent without its skill after a long wait: they should know.
            "overflowed": self.overflowed,
        }


async def load_record(redis: Redis, conversation_id: str) -> Optional[ConversationRecord]:
    stored = await redis.hgetall(conversation_key(conversation_id))
    if not stored:
        return None
    return ConversationRecord(conversation_id, {k.decode(): v.decode() for k, v in stored.items()})


async def load_messages(redis: Redis, conversation_id: str) -> List[Dict[str, Any]]:
    return [json.loads(item) for item in await redis.lrange(messages_key(conversation_id), 0, -1)]


async def waiting(redis: Redis) -> List[ConversationRecord]:
    """The queue in routing order."""
    records = []
    for member in await redis.zrange(QUEUE_KEY, 0, -1):
        record = await load_record(redis, member.decode())
        if record is not None:
            records.append(record)
    return records


async def held_by(redis: Redis, agent_id: str) -> List[ConversationRecord]:
    records = []
    for member in sorted(await redis.smembers(agent_chats_key(agent_id))):
        record = await load_record(redis, member.decode())
        if record is not None and record.status in ("assigned", "active"):
            records.append(record)
    return records


async def unread_counts(redis: Redis, agent_id: str) -> Dict[str, int]:
    stored = await redis.hgetall(agent_unread_key(agent_id))
    return {conversation.decode(): int(count) for conversation, count in stored.items()}


async def online_agent_count(redis: Redis) -> int:
    return int(await redis.scard(ONLINE_AGENTS_KEY))


async def agent_state(redis: Redis, agent_id: str) -> Dict[str, str]:
    return {k.decode(): v.decode() for k, v in (await redis.hgetall(agent_key(agent_id))).items()}


async def known_agents(redis: Redis) -> List[str]:
    """Every agent who has ever signed in (their state hash), in id order."""
    prefix = agent_key("")
    agents = []
    async for key in redis.scan_iter(match=f"{prefix}*", count=200):
        name = key.decode()[len(prefix):]
        if ":" not in name:  # not one of the agent's :chats / :unread keys
            agents.append(name)
    return sorted(agents)
