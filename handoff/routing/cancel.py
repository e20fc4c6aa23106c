"""CancelHandoff: a waiting customer chose a callback instead; the conversation leaves the queue."""

from __future__ import annotations

from typing import List, Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.finish import RESOLVED_TTL_SECONDS
from handoff.routing.outcomes import RoutingRefused, text
from handoff.routing.scripts import RoutingScripts


class CancelHandoff:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, conversation_id: str, at_ms: Optional[int] = None) -> List[str]:
        """The conversations that had joined it from other channels (to hand back too)."""
        outcome, *joined = await self._scripts.cancel(
            args=[PREFIX, conversation_id, at_ms if at_ms is not None else now_ms(),
                  RESOLVED_TTL_SECONDS])
        if text(outcome) != "cancelled":
            raise RoutingRefused(text(outcome))
        return [text(sender) for sender in joined]
