"""ReassignConversation: a conversation an agent holds goes to another agent who serves it,
or back to the queue at its old place, whoever holds it and whatever their state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import RoutingRefused, text
from handoff.routing.scripts import RoutingScripts


@dataclass(frozen=True)
class Reassignment:
    conversation_id: str
    from_agent: str
    # None: back to the queue.
    to_agent: Optional[str]
    # Accepted by the previous holder (the customer was talking with them), not merely offered.
    was_accepted: bool


class ReassignConversation:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, conversation_id: str, to_agent: Optional[str],
                   at_ms: Optional[int] = None) -> Reassignment:
        """Offered to `to_agent`, or queued when None; RoutingRefused otherwise."""
        outcome, from_agent, had = await self._scripts.reassign(args=[
            PREFIX, conversation_id, to_agent or "", at_ms if at_ms is not None else now_ms()])
        if text(outcome) not in ("reassigned", "queued"):
            raise RoutingRefused(text(outcome))
        return Reassignment(conversation_id, text(from_agent), to_agent,
                            text(had) == "active")
