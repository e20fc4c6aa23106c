"""AssignWaiting: one routing pass, giving waiting conversations to eligible agents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import text
from handoff.routing.scripts import RoutingScripts


@dataclass(frozen=True)
class Assignment:
    conversation_id: str
    agent_id: str
    waited_ms: int
    # Given past the skill it needs, after the overflow wait.
    overflowed: bool = False


class AssignWaiting:
    def __init__(self, scripts: RoutingScripts, overflow_seconds: int = 0) -> None:
        self._scripts = scripts
        # After this wait any agent speaking the language may get it, skill or not (0: never).
        self._overflow_ms = overflow_seconds * 1000

    async def call(self, at_ms: Optional[int] = None) -> List[Assignment]:
        flat = await self._scripts.assign(args=[
            PREFIX, at_ms if at_ms is not None else now_ms(), self._overflow_ms])
        return [Assignment(text(flat[i]), text(flat[i + 1]), int(flat[i + 2]),
                           int(flat[i + 3]) == 1)
                for i in range(0, len(flat), 4)]
