"""EndDisconnectedShifts: agents whose console has been gone longer than the grace go off
shift; their offers go back to the queue, the conversations they accepted stay theirs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import text
from handoff.routing.scripts import RoutingScripts


@dataclass(frozen=True)
class EndedShift:
    agent_id: str
    # Offered, not accepted: back in the queue at their old places.
    withdrawn: tuple[str, ...]
    # Accepted: still the agent's, waiting for them to sign in again.
    kept: tuple[str, ...]
    # When their console was last connected (ms).
    last_seen_ms: int


class EndDisconnectedShifts:
    def __init__(self, scripts: RoutingScripts, grace_seconds: int) -> None:
        self._scripts = scripts
        self._grace_ms = grace_seconds * 1000

    async def call(self, at_ms: Optional[int] = None) -> List[EndedShift]:
        """The shifts this call ended (another instance's pass ends the others)."""
        ended = await self._scripts.end_shifts(args=[
            PREFIX, at_ms if at_ms is not None else now_ms(), self._grace_ms])
        return [_shift(entry) for entry in ended]


def _shift(entry: List[Any]) -> EndedShift:
    agent_id, withdrawn, kept, last_seen_ms = entry
    return EndedShift(text(agent_id), tuple(text(c) for c in withdrawn),
                      tuple(text(c) for c in kept), int(last_seen_ms))
