"""ClaimComplaint on SQLite and PostgreSQL: one owner, whoever claims at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from actions.store.models import as_utc
from actions.tickets.open_callback import OpenCallback
from actions.tickets.resolve import ResolveTicket
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import ComplaintClosed, ComplaintNotFound, ComplaintTaken
from handoff.complaints.records import Ownership
from tests.unit.complaints.conftest import NOON_UTC, TEAM

LATER = NOON_UTC.replace(hour=13)


def test_an_agent_of_the_complaints_team_claims_a_complaint(desk) -> None:
    number = desk.complaint()
    owned = ClaimComplaint(desk.sessions, lambda: LATER).call(number=number.lower(),
                                                              agent=desk.agent("wang"))
    assert owned == Ownership(number, "wang", LATER)
    owner, claimed_at = desk.owner(number)
    assert (owner, as_utc(claimed_at)) == ("wang", LATER)
    assert desk.history(number)[-1] == ("wang", "open", "claimed by wang")
    assert desk.audited(number) == [{"actor": "agent:wang", "action": "ticket.claimed"}]


def test_claiming_one_s_own_complaint_again_changes_nothing(desk) -> None:
    number = desk.complaint()
    claim = ClaimComplaint(desk.sessions, lambda: LATER)
    claim.call(number=number, agent=desk.agent("wang"))
    again = ClaimComplaint(desk.sessions, lambda: LATER.replace(hour=14)).call(
        number=number, agent=desk.agent("wang"))
    assert again == Ownership(number, "wang", LATER)
    assert [note for _actor, _status, note in desk.history(number)].count("claimed by wang") == 1
    assert len(desk.audited(number)) == 1


def test_a_claimed_complaint_cannot_be_claimed_by_another(desk) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    with pytest.raises(ComplaintTaken):
        ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("smith"))
    with pytest.raises(ComplaintTaken):  # a supervisor reassigns instead
        ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("chen"))
    assert desk.owner(number)[0] == "wang"
    assert [row["actor"] for row in desk.audited(number)] == ["agent:wang"]


def test_only_the_complaints_team_and_supervisors_claim(desk) -> None:
    number = desk.complaint()
    with pytest.raises(ComplaintNotFound):
        ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("zhao"))
    assert desk.owner(number) == (None, None)
    assert ClaimComplaint(desk.sessions).call(
        number=number, agent=desk.agent("chen")).owner_agent_id == "chen"


def test_resolved_callbacks_and_unknown_numbers_are_not_claimed(desk) -> None:
    resolved = desk.complaint()
    ResolveTicket(desk.sessions)(resolved, "已退款", "agent-7")
    with pytest.raises(ComplaintClosed):
        ClaimComplaint(desk.sessions).call(number=resolved, agent=desk.agent("wang"))
    callback = OpenCallback(desk.sessions)(channel="rest", sender_id="web-2", language="zh",
                                           summary="回电", priority="normal").number
    for number in (callback, "KF-20261123-99999"):
        with pytest.raises(ComplaintNotFound):
            ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    assert desk.owner(resolved) == (None, None) and desk.owner(callback) == (None, None)


def test_of_agents_claiming_at_once_exactly_one_wins(desk) -> None:
    """Nine claims of one complaint released together, three by each of three agents."""
    number = desk.complaint()
    claimants = [agent for agent in TEAM if agent != "zhao"] * 3
    start = threading.Barrier(len(claimants))

    def claim(agent_id: str) -> str:
        agent = desk.agent(agent_id)
        start.wait()
        try:
            return ClaimComplaint(desk.sessions).call(number=number, agent=agent).owner_agent_id
        except ComplaintTaken:
            return "taken"

    with ThreadPoolExecutor(max_workers=len(claimants)) as pool:
        outcomes = list(pool.map(claim, claimants))
    winners = [outcome for outcome in outcomes if outcome != "taken"]
    # The winner's own concurrent claims answer that it is theirs; everyone else is refused.
    assert len(set(winners)) == 1
    winner = winners[0]
    assert outcomes.count("taken") == len(claimants) - claimants.count(winner)
    assert desk.owner(number)[0] == winner
    assert [note for _actor, _status, note in desk.history(number)][1:] == [
        f"claimed by {winner}"]
    assert desk.audited(number) == [{"actor": f"agent:{winner}", "action": "ticket.claimed"}]
