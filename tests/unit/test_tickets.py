"""Tickets on SQLite and PostgreSQL: numbering, SLA, priority, ownership, resolution, verdict."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.database import make_engine
from actions.store.models import Ticket, TicketEvent
from actions.tickets.contact import as_e164, stored_forms
from actions.tickets.lookup import TicketLookup
from actions.tickets.open_complaint import OpenComplaint, complaint_priority
from actions.tickets.records import ComplaintDraft
from actions.tickets.resolve import (
    RecordOutcome,
    ResolveTicket,
    TicketAlreadyResolved,
    VerdictNotAwaited,
)

NOON_UTC = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield sessionmaker(engine, future=True, expire_on_commit=False)
    engine.dispose()


def clock(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


def draft(sender: str = "web-1", **overrides: object) -> ComplaintDraft:
    values = dict(channel="rest", sender_id=sender, language="zh", category="card",
                  description="ATM吞卡", desired_outcome="refund", contact_preference="sms",
                  amount="500", currency="CNY", incident_date=dt.date(2026, 11, 20),
                  card_last_four="1234")
    values.update(overrides)
    return ComplaintDraft(**values)  # type: ignore[arg-type]


def test_a_complaint_gets_a_number_a_24_hour_sla_and_a_history(sessions) -> None:
    ticket = OpenComplaint(sessions, clock(NOON_UTC))(draft())
    assert ticket.number == "KF-20261123-00001"
    assert ticket.sla_due_at == NOON_UTC + dt.timedelta(hours=24)
    assert ticket.status == "open" and ticket.priority == "normal"
    with sessions() as session:
        events = session.execute(select(TicketEvent)).scalars().all()
        assert [(e.actor, e.status) for e in events] == [("bot", "open")]


def test_numbering_follows_the_beijing_day(sessions) -> None:
    open_at = lambda moment: OpenComplaint(sessions, clock(moment))(draft()).number  # noqa: E731
    assert open_at(NOON_UTC) == "KF-20261123-00001"
    assert open_at(NOON_UTC) == "KF-20261123-00002"
    # 16:30 UTC is 00:30 the next day in Beijing.
    assert open_at(NOON_UTC.replace(hour=16, minute=30)) == "KF-20261124-00001"


def test_fifty_concurrent_complaints_get_fifty_distinct_numbers(sessions) -> None:
    open_complaint = OpenComplaint(sessions, clock(NOON_UTC))
    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(lambda i: open_complaint(draft(f"web-{i}")).number, range(50)))
    assert len(set(numbers)) == 50
    assert sorted(numbers) == [f"KF-20261123-{i:05d}" for i in range(1, 51)]
    with sessions() as session:
        assert session.execute(select(func.count(Ticket.id))).scalar_one() == 50


@pytest.mark.parametrize(
    ("emotion", "segment", "priority"),
    [(None, None, "normal"), ("angry", "mass", "high"), (None, "private", "high"),
     ("anxious", "affluent", "urgent"), ("happy", "private", "high")],
)
def test_priority_from_emotion_and_segment(emotion, segment, priority) -> None:
    assert complaint_priority(emotion, segment) == priority


def test_customers_see_only_their_own_tickets(sessions) -> None:
    open_complaint = OpenComplaint(sessions, clock(NOON_UTC))
    mine = open_complaint(draft("web-mine"))
    theirs = open_complaint(draft("web-theirs"))
    lookup = TicketLookup(sessions)
    assert lookup.by_number(mine.number.lower(), "rest", "web-mine") == mine
    assert lookup.by_number(theirs.number, "rest", "web-mine") is None
    assert lookup.by_number(mine.number, "socketio", "web-mine") is None
    assert [t.number for t in lookup.recent("rest", "web-mine")] == [mine.number]
    assert lookup.recent("rest", "nobody") == []


def test_the_phone_a_web_complaint_gave_finds_it_by_number_by_sms_only(sessions) -> None:
    """An anonymous web complaint texted its outcome: the reply from that phone quoting the
    number finds it (stored as 11 digits, texted from +86…), nobody else does, and no list
    shows it."""
    open_complaint = OpenComplaint(sessions, clock(NOON_UTC))
    texted = open_complaint(draft("web-anonymous", contact_phone="13800138001"))
    called = open_complaint(draft("web-call", contact_preference="phone",
                                  contact_phone="021-62345678-801"))
    lookup = TicketLookup(sessions)
    assert lookup.by_number(texted.number, "sms", "+8613800138001") == texted
    assert lookup.by_number(texted.number.lower(), "sms", "+8613800138001") == texted
    assert lookup.by_number(texted.number, "sms", "+8613800138002") is None
    assert lookup.by_number(texted.number, "sms", "13800138001") is None  # not a sender id
    assert lookup.by_number(texted.number, "rest", "+8613800138001") is None
    assert lookup.by_number(texted.number, "wechat", "+8613800138001") is None
    assert lookup.by_number(called.number, "sms", "+862162345678") is None
    assert lookup.recent("sms", "+8613800138001") == []
    assert lookup.exists(texted.number.lower()) and not lookup.exists("KF-20261123-09999")


@pytest.mark.parametrize(("sender", "forms"), [
    ("+8613800138001", ["+8613800138001", "13800138001"]),
    ("+15551234567", ["+15551234567"]),
    ("+861012345678", ["+861012345678"]),  # a Beijing landline, not a mobile
    ("13800138001", []),
    ("wechat:oAbc", []),
])
def test_the_stored_forms_of_a_sender_s_number(sender: str, forms: list) -> None:
    assert stored_forms(sender) == forms
    assert all(as_e164(form) == sender for form in forms)


def test_resolve_then_the_customers_verdict_is_stored(sessions) -> None:
    ticket = OpenComplaint(sessions, clock(NOON_UTC))(draft())
    later = NOON_UTC + dt.timedelta(hours=3)
    resolved = ResolveTicket(sessions, clock(later))(ticket.number, "已退款500元", "agent-7")
    assert resolved.status == "resolved" and resolved.resolution == "已退款500元"
    with pytest.raises(TicketAlreadyResolved):
        ResolveTicket(sessions, clock(later))(ticket.number, "again", "agent-7")
    closed = RecordOutcome(sessions, clock(later))(ticket.number, False, "还没到账", "customer")
    assert closed.status == "reopened" and closed.customer_accepted is False
    with sessions() as session:
        stored = session.execute(select(Ticket)).scalar_one()
        assert stored.customer_feedback == "还没到账"
        assert stored.first_response_at is not None
        assert [e.status for e in stored.events] == ["open", "resolved", "reopened"]


def test_a_verdict_is_recorded_once_per_resolution(sessions) -> None:
    """A customer asked on the web and answering by SMS too: the first answer stands, and a
    ticket resolved again after a "no" awaits a new verdict."""
    ticket = OpenComplaint(sessions, clock(NOON_UTC))(draft())
    with pytest.raises(VerdictNotAwaited):  # not resolved yet
        RecordOutcome(sessions)(ticket.number, True, None, "customer:web-1")
    assert ResolveTicket(sessions)(ticket.number, "已退款", "agent-7").awaits_verdict
    assert RecordOutcome(sessions)(ticket.number, False, "还没到账", "customer:+8613800138001")
    with pytest.raises(VerdictNotAwaited) as second:
        RecordOutcome(sessions)(ticket.number, True, None, "customer:web-1")
    assert second.value.status == "reopened"
    again = ResolveTicket(sessions)(ticket.number, "已全额退款", "agent-7")
    assert again.awaits_verdict and again.customer_accepted is False
    assert RecordOutcome(sessions)(ticket.number, True, None, "customer:web-1").status == "closed"
    with sessions() as session:
        stored = session.execute(select(Ticket)).scalar_one()
        assert [(e.actor, e.status) for e in stored.events] == [
            ("bot", "open"), ("agent-7", "resolved"), ("customer:+8613800138001", "reopened"),
            ("agent-7", "resolved"), ("customer:web-1", "closed")]


def test_of_concurrent_verdicts_one_is_recorded(sessions) -> None:
    """The web question and the outcome text answered at the same moment, many times over:
    one verdict closes or reopens the ticket, every other is told which one did, and the
    history has one verdict line."""
    ticket = OpenComplaint(sessions, clock(NOON_UTC))(draft())
    ResolveTicket(sessions)(ticket.number, "已退款", "agent-7")
    record = RecordOutcome(sessions)

    def answer(i: int) -> object:
        try:
            return record(ticket.number, i % 2 == 0, None, f"customer:web-{i}")
        except VerdictNotAwaited as already:
            return already

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(answer, range(20)))
    [recorded] = [result for result in results if not isinstance(result, VerdictNotAwaited)]
    refused = [result for result in results if isinstance(result, VerdictNotAwaited)]
    assert len(refused) == 19
    assert {(r.status, r.accepted) for r in refused} == {
        (recorded.status, recorded.customer_accepted)}
    with sessions() as session:
        stored = session.execute(select(Ticket)).scalar_one()
        assert [e.status for e in stored.events] == ["open", "resolved", recorded.status]
