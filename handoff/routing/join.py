"""JoinHandoff: a verified customer starts a conversation on another channel while their
handoff is open; that conversation joins it, and the agent now replies there."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

from handoff.keys import PREFIX
from handoff.routing.outcomes import text
from handoff.routing.scripts import RoutingScripts


@dataclass(frozen=True)
class JoinedHandoff:
    status: str
    holder: str  # the conversation the handoff began in
    agent_id: str


class JoinHandoff:
    def __init__(self, scripts: RoutingScripts) -> None:
        self._scripts = scripts

    async def call(self, sender_id: str, customer_number: str, channel: str,
                   at_seconds: Optional[float] = None, quiet: bool = False,
                   ) -> Optional[JoinedHandoff]:
        """The handoff joined, or None when the customer has no open handoff. `quiet`: the
        customer is not there yet; replies keep going where they are."""
        status, *rest = await self._scripts.join(args=[
            PREFIX, sender_id, customer_number,
            repr(at_seconds if at_seconds is not None else time.time()), channel,
            "1" if quiet else "0"])
        if text(status) == "none":
            return None
        holder, agent = rest
        return JoinedHandoff(text(status), text(holder), text(agent))
