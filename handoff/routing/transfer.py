"""TransferConversation: to another agent (online, with room) or to a skill's queue."""

from __future__ import annotations

from typing import Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import RoutingRefused, text
from handoff.routing.scripts import RoutingScripts

TARGET_KINDS = ("agent", "skill")


class TransferConversation:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, conversation_id: str, from_agent: str, kind: str, target: str,
                   at_ms: Optional[int] = None) -> str:
        """'transferred' (to an agent) or 'queued' (for a skill); RoutingRefused otherwise."""
        if kind not in TARGET_KINDS:
            raise ValueError(f"transfer target must be one of {', '.join(TARGET_KINDS)}")
        (outcome,) = await self._scripts.transfer(
            args=[PREFIX, conversation_id, from_agent, kind, target,
                  at_ms if at_ms is not None else now_ms()])
        outcome = text(outcome)
        if outcome not in ("transferred", "queued"):
            raise RoutingRefused(outcome)
        return outcome
