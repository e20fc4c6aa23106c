"""Who sees a complaint and who may act on it (no database needed)."""

from __future__ import annotations

from typing import Optional

import pytest

from handoff.agents import AgentAccount
from handoff.complaints.policy import COMPLAINTS_SKILL, may_act, may_see, on_complaints_team


def account(agent_id: str, skills: str = "general", role: str = "agent") -> AgentAccount:
    return AgentAccount(agent_id=agent_id, display_name=agent_id, role=role,
                        languages=("zh",), skills=tuple(skills.split(",")), max_chats=1)


WANG = account("wang", "general,complaints")
SMITH = account("smith", "complaints")
ZHAO = account("zhao", "general,fraud")
CHEN = account("chen", role="supervisor")


def test_the_complaints_skill_is_the_routing_skill_of_complaint_handoffs() -> None:
    assert COMPLAINTS_SKILL == "complaints"
    assert [on_complaints_team(agent) for agent in (WANG, SMITH, ZHAO, CHEN)] == [
        True, True, False, True]


@pytest.mark.parametrize(("owner", "status", "seen_by"), [
    (None, "open", {"wang", "smith", "chen"}),       # the queue: the team and supervisors
    (None, "reopened", {"wang", "smith", "chen"}),
    ("wang", "open", {"wang", "chen"}),               # claimed: its owner and supervisors
    ("wang", "resolved", {"wang", "chen"}),
    (None, "closed", {"chen"}),                       # resolved before anyone claimed it
])
def test_who_sees_a_complaint(owner: Optional[str], status: str, seen_by: set) -> None:
    assert {agent.agent_id for agent in (WANG, SMITH, ZHAO, CHEN)
            if may_see(agent, owner, status)} == seen_by


@pytest.mark.parametrize(("owner", "acting"), [(None, {"chen"}), ("wang", {"wang", "chen"}),
                                               ("smith", {"smith", "chen"})])
def test_who_acts_on_it(owner: Optional[str], acting: set) -> None:
    assert {agent.agent_id for agent in (WANG, SMITH, ZHAO, CHEN)
            if may_act(agent, owner)} == acting


@pytest.mark.parametrize(("owner", "seen_and_acted_by"), [
    (None, {"wang", "smith", "chen"}),  # nobody's: the team tells the customer
    ("wang", {"wang", "chen"}),         # its owner's, as any resolved complaint
])
def test_an_outcome_not_delivered_is_the_team_s_when_nobody_owns_it(
        owner: Optional[str], seen_and_acted_by: set) -> None:
    team = (WANG, SMITH, ZHAO, CHEN)
    assert {agent.agent_id for agent in team
            if may_see(agent, owner, "resolved", undelivered=True)} == seen_and_acted_by
    assert {agent.agent_id for agent in team
            if may_act(agent, owner, undelivered=True)} == seen_and_acted_by
