"""AddComplaintNote on SQLite and PostgreSQL: the owner's notes in the history."""

from __future__ import annotations

import pytest

from actions.tickets.resolve import ResolveTicket
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import ComplaintNotClaimed, ComplaintNotFound
from handoff.complaints.note import AddComplaintNote
from handoff.complaints.records import HistoryStep
from tests.unit.complaints.conftest import NOON_UTC

LATER = NOON_UTC.replace(hour=16)


def test_the_owner_notes_what_was_done_and_the_audit_keeps_no_text(desk) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    step = AddComplaintNote(desk.sessions, lambda: LATER).call(
        number=number, agent=desk.agent("wang"), note="已致电客户，核实扣款流水")
    assert step == HistoryStep(LATER, "wang", "open", "已致电客户，核实扣款流水")
    assert desk.history(number)[-1] == ("wang", "open", "已致电客户，核实扣款流水")
    assert desk.audited(number)[-1] == {"actor": "agent:wang", "action": "ticket.noted",
                                        "characters": 12}


def test_notes_after_resolving_and_by_a_supervisor(desk) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    ResolveTicket(desk.sessions)(number, "已退款", "wang")
    AddComplaintNote(desk.sessions).call(number=number, agent=desk.agent("wang"),
                                         note="已电话告知客户处理结果")
    AddComplaintNote(desk.sessions).call(number=number, agent=desk.agent("chen"), note="已复核")
    assert desk.history(number)[-2:] == [("wang", "resolved", "已电话告知客户处理结果"),
                                         ("chen", "resolved", "已复核")]


def test_a_colleague_may_not_note_it(desk) -> None:
    waiting = desk.complaint()
    with pytest.raises(ComplaintNotClaimed):  # seen in the queue; claim it first
        AddComplaintNote(desk.sessions).call(number=waiting, agent=desk.agent("wang"), note="x")
    ClaimComplaint(desk.sessions).call(number=waiting, agent=desk.agent("wang"))
    for colleague in ("smith", "zhao"):
        with pytest.raises(ComplaintNotFound):
            AddComplaintNote(desk.sessions).call(number=waiting, agent=desk.agent(colleague),
                                                 note="x")
    assert [note for _a, _s, note in desk.history(waiting)] == ["received", "claimed by wang"]
