"""SetPresence: an agent goes online (joins routing), away (keeps chats), or offline.

Going offline puts the agent's conversations back in the queue at their original places.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from handoff.keys import PREFIX
from handoff.routing.clock import now_ms
from handoff.routing.outcomes import text
from handoff.routing.scripts import RoutingScripts

PRESENCES = ("online", "away", "offline")


@dataclass(frozen=True)
class Requeued:
    conversation_id: str
    # Accepted by the agent (the customer was talking with them), not merely offered.
    was_accepted: bool


@dataclass(frozen=True)
class AgentProfile:
    agent_id: str
    display_name: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    max_chats: int
    role: str = "agent"


class SetPresence:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, profile: AgentProfile, presence: str,
                   at_ms: Optional[int] = None) -> List[Requeued]:
        """The conversations put back in the queue (only when going offline)."""
        if presence not in PRESENCES:
            raise ValueError(f"presence must be one of {', '.join(PRESENCES)}")
        fields = [] if presence != "online" else [
            "name", profile.display_name, "languages", ",".join(profile.languages),
            "skills", ",".join(profile.skills), "max_chats", profile.max_chats,
            "role", profile.role]
        requeued = await self._scripts.presence(
            args=[PREFIX, profile.agent_id, presence,
                  at_ms if at_ms is not None else now_ms(), *fields])
        return [Requeued(text(requeued[i]), text(requeued[i + 1]) == "active")
                for i in range(0, len(requeued), 2)]
