"""work_order on SQLite and PostgreSQL: complaints filed with a priority and a due time,
read back in the order the lists show them."""

from __future__ import annotations

import datetime as dt
from typing import Dict, List, Tuple

import pytest
from sqlalchemy import select, update

from actions.store.models import Ticket
from actions.tickets.open_complaint import COMPLAINT_SLA
from handoff.complaints.order import work_order
from tests.unit.complaints.conftest import NOON_UTC

NOW = NOON_UTC + dt.timedelta(hours=30)
# How the form files each priority (complaint_priority: upset × key customer).
FILED_AS = {"urgent": {"emotion": "angry", "segment": "private"},
            "high": {"emotion": "angry"}, "normal": {}}

# Each complaint: its name, priority, and due time in hours from NOW (negative: overdue);
# filed in this order, so ties go to the first filed (the lower number).
CASES: Dict[str, Tuple[List[Tuple[str, str, float]], List[str]]] = {
    "overdue before any priority": (
        [("urgent-soon", "urgent", 1), ("normal-late", "normal", -1)],
        ["normal-late", "urgent-soon"]),
    "the most overdue first, whatever its priority": (
        [("urgent-late", "urgent", -1), ("normal-later", "normal", -5),
         ("high-late", "high", -3)],
        ["normal-later", "high-late", "urgent-late"]),
    "not yet due: urgent, high, normal before due time": (
        [("normal-soon", "normal", 1), ("high-later", "high", 10),
         ("urgent-latest", "urgent", 20)],
        ["urgent-latest", "high-later", "normal-soon"]),
    "the same priority: soonest due first": (
        [("high-later", "high", 10), ("high-soon", "high", 2), ("normal", "normal", 3)],
        ["high-soon", "high-later", "normal"]),
    "due exactly now is not overdue yet": (
        [("urgent-soon", "urgent", 3), ("normal-now", "normal", 0)],
        ["urgent-soon", "normal-now"]),
    "equally overdue: priority, then number": (
        [("normal-1", "normal", -2), ("normal-2", "normal", -2), ("urgent", "urgent", -2)],
        ["urgent", "normal-1", "normal-2"]),
    "equally due, same priority: by number": (
        [("first", "high", 5), ("second", "high", 5), ("third", "high", 5)],
        ["first", "second", "third"]),
}


@pytest.mark.parametrize("filed, expected", CASES.values(), ids=CASES.keys())
def test_the_work_order(desk, filed: List[Tuple[str, str, float]],
                        expected: List[str]) -> None:
    names = {}
    for name, priority, due_in_hours in filed:
        at = NOW + dt.timedelta(hours=due_in_hours) - COMPLAINT_SLA
        names[desk.complaint(at=at, **FILED_AS[priority])] = name
    assert {desk.ticket(number).priority for number in names} == {p for _, p, _ in filed}
    with desk.sessions() as session:
        listed = session.execute(select(Ticket.number).order_by(*work_order(NOW))).scalars()
        assert [names[number] for number in listed] == expected


def test_now_in_another_zone_is_the_same_moment(desk) -> None:
    """Beijing's wall time is 8 hours ahead: read as UTC, both would look overdue."""
    normal = desk.complaint(at=NOW - COMPLAINT_SLA + dt.timedelta(hours=1))
    urgent = desk.complaint(at=NOW - COMPLAINT_SLA + dt.timedelta(hours=3), **FILED_AS["urgent"])
    beijing = NOW.astimezone(dt.timezone(dt.timedelta(hours=8)))
    with desk.sessions() as session:
        listed = session.execute(select(Ticket.number).order_by(*work_order(beijing))).scalars()
        assert list(listed) == [urgent, normal]


def test_an_outcome_not_delivered_is_worked_with_the_overdue_since_it_failed(desk) -> None:
    """Resolved past its due time, it waits since its notice failed, not since it was due."""
    def filed(due_in_hours: float, **given: str) -> str:
        return desk.complaint(at=NOW + dt.timedelta(hours=due_in_hours) - COMPLAINT_SLA,
                              **given)

    most_overdue, untold, overdue = filed(-5), filed(-10), filed(-1)
    urgent, resolved_unmarked = filed(1, **FILED_AS["urgent"]), filed(-20)
    with desk.sessions.begin() as session:
        session.execute(update(Ticket).where(Ticket.number == untold).values(
            status="resolved", outcome_undelivered_at=NOW - dt.timedelta(hours=3)))
        session.execute(update(Ticket).where(Ticket.number == resolved_unmarked).values(
            status="resolved"))
    with desk.sessions() as session:
        listed = list(session.execute(select(Ticket.number).order_by(*work_order(NOW))).scalars())
    # A resolved complaint with nothing left to do is not overdue: it sorts as not yet due.
    assert listed == [most_overdue, untold, overdue, urgent, resolved_unmarked]
