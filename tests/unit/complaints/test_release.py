"""ReleaseComplaint on SQLite and PostgreSQL: back to the queue, by its owner or a supervisor."""

from __future__ import annotations

import pytest

from actions.tickets.resolve import ResolveTicket
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import (
    ComplaintClosed,
    ComplaintNotClaimed,
    ComplaintNotFound,
    ComplaintUnowned,
)
from handoff.complaints.records import Ownership
from handoff.complaints.release import ReleaseComplaint
from tests.unit.complaints.conftest import NOON_UTC


def claimed_by(desk, agent_id: str) -> str:
    number = desk.complaint()
    ClaimComplaint(desk.sessions, lambda: NOON_UTC).call(number=number, agent=desk.agent(agent_id))
    return number


def test_the_owner_puts_the_complaint_back_in_the_queue(desk) -> None:
    number = claimed_by(desk, "wang")
    released = ReleaseComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    assert released == Ownership(number, None, None, previous_owner="wang")
    assert desk.owner(number) == (None, None)
    assert desk.history(number)[-1] == ("wang", "open", "released by wang")
    assert desk.audited(number)[-1] == {"actor": "agent:wang", "action": "ticket.released",
                                        "previous_owner": "wang"}
    # Back in the queue: a colleague may claim it now.
    assert ClaimComplaint(desk.sessions).call(
        number=number, agent=desk.agent("smith")).owner_agent_id == "smith"


def test_a_supervisor_releases_an_agent_s_complaint(desk) -> None:
    number = claimed_by(desk, "wang")
    ReleaseComplaint(desk.sessions).call(number=number, agent=desk.agent("chen"))
    assert desk.owner(number) == (None, None)
    assert desk.history(number)[-1] == ("chen", "open", "released by chen (claimed by wang)")


def test_nobody_else_releases_it(desk) -> None:
    number = claimed_by(desk, "wang")
    for colleague in ("smith", "zhao"):  # they do not see it: as if it did not exist
        with pytest.raises(ComplaintNotFound):
            ReleaseComplaint(desk.sessions).call(number=number, agent=desk.agent(colleague))
    assert desk.owner(number)[0] == "wang"
    assert [row["action"] for row in desk.audited(number)] == ["ticket.claimed"]


def test_an_unclaimed_or_resolved_complaint_is_not_released(desk) -> None:
    waiting = desk.complaint()
    with pytest.raises(ComplaintNotClaimed):  # in the queue: only seen, not owned
        ReleaseComplaint(desk.sessions).call(number=waiting, agent=desk.agent("wang"))
    with pytest.raises(ComplaintUnowned):
        ReleaseComplaint(desk.sessions).call(number=waiting, agent=desk.agent("chen"))
    resolved = claimed_by(desk, "wang")
    ResolveTicket(desk.sessions)(resolved, "已退款", "wang")
    with pytest.raises(ComplaintClosed):
        ReleaseComplaint(desk.sessions).call(number=resolved, agent=desk.agent("wang"))
    assert desk.owner(resolved)[0] == "wang"
