"""ListComplaints on SQLite and PostgreSQL: the queue, mine, and the team's for supervisors."""

from __future__ import annotations

import datetime as dt

from actions.tickets.open_callback import OpenCallback
from actions.tickets.resolve import RecordOutcome, ResolveTicket
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.lists import ListComplaints
from tests.unit.complaints.conftest import NOON_UTC

NOW = NOON_UTC + dt.timedelta(hours=30)


def numbers(items) -> list:
    return [item.number for item in items]


def test_the_queue_is_the_open_unclaimed_complaints_in_working_order(desk) -> None:
    late = desk.complaint(at=NOON_UTC, category="fees")  # due 24 h after: overdue by NOW
    later = desk.complaint(at=NOON_UTC + dt.timedelta(hours=8), emotion="angry")
    latest = desk.complaint(at=NOON_UTC + dt.timedelta(hours=9), emotion="sad", segment="private")
    early = desk.complaint(at=NOON_UTC - dt.timedelta(hours=1), language="en")
    claimed = desk.complaint(at=NOON_UTC - dt.timedelta(hours=2))
    done = desk.complaint(at=NOON_UTC - dt.timedelta(hours=3))
    ClaimComplaint(desk.sessions).call(number=claimed, agent=desk.agent("wang"))
    ResolveTicket(desk.sessions)(done, "已退款", "agent-7")
    OpenCallback(desk.sessions)(channel="rest", sender_id="web-9", language="zh",
                                summary="回电", priority="urgent")

    lists = ListComplaints(desk.sessions, lambda: NOW).call(agent=desk.agent("smith"))
    # Overdue by NOW first, the most overdue first; then the urgent one before the high one.
    assert numbers(lists.queue) == [early, late, latest, later]
    assert (lists.mine, lists.team) == ([], [])
    first, *_, last = (item.as_json(NOW) for item in lists.queue)
    assert {key: first[key] for key in ("number", "status", "priority", "category", "language",
                                        "channel", "overdue", "owner_agent_id")} == {
        "number": early, "status": "open", "priority": "normal", "category": "card",
        "language": "en", "channel": "rest", "overdue": True, "owner_agent_id": None}
    assert (first["created_at"], first["due_at"]) == (
        (NOON_UTC - dt.timedelta(hours=1)).isoformat(),
        (NOON_UTC + dt.timedelta(hours=23)).isoformat())
    assert (last["priority"], last["overdue"]) == ("high", False)


def test_mine_is_the_agent_s_own_and_the_team_s_is_for_supervisors(desk) -> None:
    wang_s, smith_s, waiting = desk.complaint(), desk.complaint(), desk.complaint()
    ClaimComplaint(desk.sessions).call(number=wang_s, agent=desk.agent("wang"))
    ClaimComplaint(desk.sessions).call(number=smith_s, agent=desk.agent("smith"))
    wang = ListComplaints(desk.sessions).call(agent=desk.agent("wang"))
    assert (numbers(wang.queue), numbers(wang.mine), wang.team) == ([waiting], [wang_s], [])
    chen = ListComplaints(desk.sessions).call(agent=desk.agent("chen"))
    assert (numbers(chen.queue), chen.mine, numbers(chen.team)) == (
        [waiting], [], [wang_s, smith_s])
    assert [item.owner_agent_id for item in chen.team] == ["wang", "smith"]


def test_an_agent_without_the_skill_sees_no_queue(desk) -> None:
    desk.complaint()
    lists = ListComplaints(desk.sessions).call(agent=desk.agent("zhao"))
    assert (lists.queue, lists.mine, lists.team) == ([], [], [])


def test_a_reopened_complaint_comes_back_to_its_owner(desk) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    ResolveTicket(desk.sessions)(number, "已退款", "wang")
    assert ListComplaints(desk.sessions).call(agent=desk.agent("wang")).mine == []
    RecordOutcome(desk.sessions)(number, False, "没收到退款", "customer:web-1")
    [reopened] = ListComplaints(desk.sessions).call(agent=desk.agent("wang")).mine
    assert (reopened.number, reopened.status) == (number, "reopened")
