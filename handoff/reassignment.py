"""What every reassignment tells, a supervisor's or the automatic return of a disconnected
agent's customers: the audit action, the consoles' event, the customer's notice."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from handoff.live import ALL_AGENTS, SUPERVISORS, agent_audience

REASSIGNED = "conversation.reassigned"
# The event's `by` when no supervisor acted: the agent's console was gone too long.
BY_SYSTEM = "system"
AGENT_DISCONNECTED = "agent_disconnected"
# The audit detail's and the answer's `to` for the queue.
TO_QUEUE = "queue"
# The metric's `target` for a named agent (TO_QUEUE for the queue).
TARGET_AGENT = "agent"


def customer_notice(to_agent: Optional[str]) -> str:
    """The notice (handoff/texts.py) for a customer whose agent can no longer help them:
    a colleague takes over, or they keep their place in the queue for the next one."""
    return "reassigned" if to_agent else "agent_left"


def audience(from_agent: str, to_agent: Optional[str]) -> List[str]:
    """The previous holder (their console drops it), the new one (offered it) or every
    agent (the queue changed), and supervisors."""
    return [agent_audience(from_agent), SUPERVISORS,
            agent_audience(to_agent) if to_agent else ALL_AGENTS]


def reassigned_event(conversation_id: str, from_agent: str, to_agent: Optional[str],
                     by: str, **more: Any) -> Dict[str, Any]:
    return {"type": "reassigned", "conversation_id": conversation_id, "from": from_agent,
            "agent_id": to_agent, "by": by, **more}
