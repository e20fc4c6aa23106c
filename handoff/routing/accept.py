"""AcceptConversation: an agent takes a conversation offered to them or waiting in their queue."""

from __future__ import annotations

from typing import Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import RoutingRefused, text
from handoff.routing.scripts import RoutingScripts

ACCEPTED = ("accepted", "already_accepted")


class AcceptConversation:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, conversation_id: str, agent_id: str,
                   at_ms: Optional[int] = None) -> bool:
        """True when newly accepted, False when it already was; RoutingRefused otherwise."""
        outcome, _waited = await self._scripts.accept(
            args=[PREFIX, conversation_id, agent_id, at_ms if at_ms is not None else now_ms()])
        outcome = text(outcome)
        if outcome not in ACCEPTED:
            raise RoutingRefused(outcome)
        return outcome == "accepted"
