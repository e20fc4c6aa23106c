"""ReassignComplaint on SQLite and PostgreSQL: a supervisor gives a complaint to the team."""

from __future__ import annotations

import pytest

from actions.store.models import as_utc
from actions.tickets.resolve import ResolveTicket
from handoff.agents import save_account
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import (
    ComplaintClosed,
    NotOnComplaintsTeam,
    SameOwner,
    SupervisorsOnly,
)
from handoff.complaints.reassign import ReassignComplaint
from handoff.complaints.records import Ownership
from tests.unit.complaints.conftest import NOON_UTC

LATER = NOON_UTC.replace(hour=15)


def test_a_supervisor_moves_a_claimed_complaint_to_a_colleague(desk) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    moved = ReassignComplaint(desk.sessions, lambda: LATER).call(
        number=number, supervisor=desk.agent("chen"), to_agent_id="smith")
    assert moved == Ownership(number, "smith", LATER, previous_owner="wang")
    owner, claimed_at = desk.owner(number)
    assert (owner, as_utc(claimed_at)) == ("smith", LATER)
    assert desk.history(number)[-1] == ("chen", "open", "reassigned from wang to smith by chen")
    assert desk.audited(number)[-1] == {"actor": "agent:chen", "action": "ticket.reassigned",
                                        "previous_owner": "wang", "owner": "smith"}


def test_a_supervisor_assigns_a_waiting_complaint(desk) -> None:
    number = desk.complaint()
    ReassignComplaint(desk.sessions).call(number=number, supervisor=desk.agent("chen"),
                                          to_agent_id="wang")
    assert desk.owner(number)[0] == "wang"
    assert desk.history(number)[-1] == ("chen", "open",
                                        "reassigned from the queue to wang by chen")


def test_only_supervisors_reassign(desk) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    with pytest.raises(SupervisorsOnly):
        ReassignComplaint(desk.sessions).call(number=number, supervisor=desk.agent("wang"),
                                              to_agent_id="smith")
    assert desk.owner(number)[0] == "wang"


@pytest.mark.parametrize("target", ["zhao", "nobody", "gone"])
def test_only_to_an_enabled_member_of_the_complaints_team(desk, target: str) -> None:
    save_account(desk.sessions, "pw", agent_id="gone", display_name="Gone",
                 skills="complaints", enabled=False)
    number = desk.complaint()
    with pytest.raises(NotOnComplaintsTeam, match=target):
        ReassignComplaint(desk.sessions).call(number=number, supervisor=desk.agent("chen"),
                                              to_agent_id=target)
    assert desk.owner(number) == (None, None)
    assert desk.audited(number) == []


def test_not_to_its_owner_nor_once_resolved(desk) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    with pytest.raises(SameOwner):
        ReassignComplaint(desk.sessions).call(number=number, supervisor=desk.agent("chen"),
                                              to_agent_id="wang")
    ResolveTicket(desk.sessions)(number, "已退款", "wang")
    with pytest.raises(ComplaintClosed):
        ReassignComplaint(desk.sessions).call(number=number, supervisor=desk.agent("chen"),
                                              to_agent_id="smith")
    assert desk.owner(number)[0] == "wang"
