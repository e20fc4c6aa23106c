"""WithdrawExpiredOffers: offers not accepted in time go back to the queue at their old
place, and the agents who missed them are set away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import text
from handoff.routing.scripts import RoutingScripts


@dataclass(frozen=True)
class WithdrawnOffer:
    conversation_id: str
    # The agent who did not accept it, now away.
    agent_id: str
    offered_ms: int


class WithdrawExpiredOffers:
    def __init__(self, scripts: RoutingScripts, offer_seconds: int) -> None:
        self._scripts = scripts
        self._offer_ms = offer_seconds * 1000

    async def call(self, at_ms: Optional[int] = None) -> List[WithdrawnOffer]:
        """The offers this call withdrew (another instance's pass withdraws the others)."""
        flat = await self._scripts.withdraw(args=[
            PREFIX, at_ms if at_ms is not None else now_ms(), self._offer_ms])
        return [WithdrawnOffer(text(flat[i]), text(flat[i + 1]), int(flat[i + 2]))
                for i in range(0, len(flat), 3)]
