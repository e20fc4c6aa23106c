"""EnqueueHandoff: put a conversation in the waiting queue, once, at its priority; a
verified customer who already has an open handoff (begun on another channel) joins it."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Optional

from handoff.keys import PREFIX, QUEUE_KEY
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import text
from handoff.routing.rules import effective_priority, queue_score, required_skill
from handoff.routing.scripts import RoutingScripts


@dataclass(frozen=True)
class QueuedHandoff:
    handoff_id: str
    conversation_id: str
    status: str
    priority: str
    queue_position: int  # 0 once an agent has it
    created: bool
    # The conversation that holds the handoff: this one, or the customer's on another channel.
    holder: str

    @property
    def joined(self) -> bool:
        return self.holder != self.conversation_id


class EnqueueHandoff:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, request: Dict[str, Any], at_ms: Optional[int] = None) -> QueuedHandoff:
        moment = at_ms if at_ms is not None else now_ms()
        conversation_id = request["conversation_id"]
        customer = request.get("customer") or {}
        priority = effective_priority(request.get("priority", "normal"), request["reason"],
                                      customer.get("segment"))
        fields = {
            "priority": priority,
            "language": request["language"],
            "skill": required_skill(request["reason"]),
            "rm": customer.get("relationship_manager_agent_id") or "",
            "channel": request["channel"],
            "reason": request["reason"],
            "created_at": repr(time.time()),
            "request": json.dumps({**request, "priority": priority}, ensure_ascii=False),
        }
        status, handoff_id, created, holder = await self._scripts.enqueue(
            args=[PREFIX, conversation_id, uuid.uuid4().hex, moment,
                  queue_score(priority, moment), customer.get("customer_number") or "",
                  request["channel"], *[part for pair in fields.items() for part in pair]],
        )
        status = text(status)
        rank = await self._scripts.redis.zrank(QUEUE_KEY, text(holder))
        return QueuedHandoff(
            handoff_id=text(handoff_id),
            conversation_id=conversation_id,
            status=status,
            priority=priority,
            queue_position=int(rank) + 1 if rank is not None else 0,
            created=bool(created),
            holder=text(holder),
        )
