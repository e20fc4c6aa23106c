"""ReturnFromDisconnected: conversations still held by agents whose shift ended with a lost
console go back to the queue at their old places once the agents have been gone too long."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import text
from handoff.routing.scripts import RoutingScripts


@dataclass(frozen=True)
class Returned:
    conversation_id: str
    # The agent who had it, off shift since their console was lost.
    agent_id: str
    was_accepted: bool
    # When their console was last connected (ms).
    last_seen_ms: int


class ReturnFromDisconnected:
    def __init__(self, scripts: RoutingScripts, wait_seconds: int) -> None:
        self._scripts = scripts
        self._wait_ms = wait_seconds * 1000

    async def call(self, at_ms: Optional[int] = None) -> List[Returned]:
        """The conversations this call returned (another instance's pass returns the others)."""
        returned = await self._scripts.return_disconnected(args=[
            PREFIX, at_ms if at_ms is not None else now_ms(), self._wait_ms])
        return [Returned(text(cid), text(agent), text(had) == "active", int(last_seen))
                for cid, agent, had, last_seen in returned]
