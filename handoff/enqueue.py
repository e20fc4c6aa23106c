"""EnqueueHandoff: put a conversation in the waiting queue, once.

One Lua script makes "already queued?", "add" and "where is it?" a single
atomic step, so concurrent requests for one conversation queue it once.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict

from redis.asyncio import Redis

from handoff.keys import QUEUE_KEY, request_key

# KEYS: queue, request hash. ARGV: conversation id, score, handoff id, request JSON.
_ENQUEUE_SCRIPT = """
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if rank then
  return {rank, redis.call('HGET', KEYS[2], 'handoff_id'), 0}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], 'handoff_id', ARGV[3], 'status', 'queued',
           'queued_at', ARGV[2], 'request', ARGV[4])
return {redis.call('ZRANK', KEYS[1], ARGV[1]), ARGV[3], 1}
"""


@dataclass(frozen=True)
class QueuedHandoff:
    handoff_id: str
    conversation_id: str
    queue_position: int
    estimated_wait_seconds: int
    created: bool

    def as_json(self) -> Dict[str, Any]:
        return {
            "handoff_id": self.handoff_id,
            "conversation_id": self.conversation_id,
            "status": "queued",
            "queue_position": self.queue_position,
            "estimated_wait_seconds": self.estimated_wait_seconds,
        }


class EnqueueHandoff:
    def __init__(self, redis: Redis, *, seconds_per_queue_position: int) -> None:
        self._redis = redis
        self._seconds_per_position = seconds_per_queue_position
        self._script = redis.register_script(_ENQUEUE_SCRIPT)

    async def call(self, *, request: Dict[str, Any]) -> QueuedHandoff:
        conversation_id = request["conversation_id"]
        rank, handoff_id, created = await self._script(
            keys=[QUEUE_KEY, request_key(conversation_id)],
            args=[
                conversation_id,
                int(time.time() * 1000),
                uuid.uuid4().hex,
                json.dumps(request, ensure_ascii=False),
            ],
        )
        position = int(rank) + 1
        return QueuedHandoff(
            handoff_id=_text(handoff_id),
            conversation_id=conversation_id,
            queue_position=position,
            estimated_wait_seconds=position * self._seconds_per_position,
            created=bool(created),
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
