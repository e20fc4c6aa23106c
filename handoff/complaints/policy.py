"""Who sees which complaint, and who may act on it (agents see only their own work).

- The queue (open complaints nobody has claimed): agents with the complaints skill, and
  supervisors.
- A claimed complaint: its owner and supervisors only.
- A resolved or closed complaint: its owner (who worked it) and supervisors.
- A resolved complaint whose outcome could not be texted or e-mailed ("undelivered") and that
  nobody owns: the complaints team too, any of whom may tell the customer.
Everyone else is answered as if it did not exist.
"""

from __future__ import annotations

from typing import Optional

from actions.tickets.records import OPEN_TICKET_STATUSES
from handoff.agents import AgentAccount
from handoff.routing.rules import SKILL_BY_REASON

# The routing skill of complaint handoffs: the same team works the written complaints.
COMPLAINTS_SKILL = SKILL_BY_REASON["complaint"]
COMPLAINT_KIND = "complaint"


def is_supervisor(agent: AgentAccount) -> bool:
    return agent.role == "supervisor"


def on_complaints_team(agent: AgentAccount) -> bool:
    return is_supervisor(agent) or COMPLAINTS_SKILL in agent.skills


def is_open(status: str) -> bool:
    return status in OPEN_TICKET_STATUSES


def may_see(agent: AgentAccount, owner: Optional[str], status: str,
            undelivered: bool = False) -> bool:
    if is_supervisor(agent) or owner == agent.agent_id:
        return True
    return owner is None and (is_open(status) or undelivered) and on_complaints_team(agent)


def may_act(agent: AgentAccount, owner: Optional[str], undelivered: bool = False) -> bool:
    """Notes, the contact in full, resolving, releasing: the owner and supervisors; telling
    the customer an undelivered outcome nobody owns: the complaints team as well."""
    if is_supervisor(agent) or (owner is not None and owner == agent.agent_id):
        return True
    return owner is None and undelivered and on_complaints_team(agent)
