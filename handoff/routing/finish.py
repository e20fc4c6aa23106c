"""FinishConversation: the agent is done; the conversation leaves their chats."""

from __future__ import annotations

from typing import List, Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import RoutingRefused, text
from handoff.routing.scripts import RoutingScripts

# A resolved conversation's record and messages stay this long for the console's history.
RESOLVED_TTL_SECONDS = 7 * 24 * 3600
# Handling times kept per language and skill for the wait estimates.
HANDLED_KEPT = 50


class FinishConversation:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, conversation_id: str, agent_id: str,
                   at_ms: Optional[int] = None) -> List[str]:
        """The conversations that had joined it from other channels (to hand back too)."""
        outcome, *joined = await self._scripts.finish(
            args=[PREFIX, conversation_id, agent_id, at_ms if at_ms is not None else now_ms(),
                  RESOLVED_TTL_SECONDS, HANDLED_KEPT])
        if text(outcome) != "resolved":
            raise RoutingRefused(text(outcome))
        return [text(sender) for sender in joined]
