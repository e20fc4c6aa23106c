"""The KPI report on SQLite and PostgreSQL, and the conversation count from the event stream."""

from __future__ import annotations

import datetime as dt

import redis.asyncio

from actions.kpi import EVENT_STREAM, count_conversations, kpi_report
from actions.satisfaction.record import CsatAnswer, RecordCsat
from actions.store.database import session_factory
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft
from actions.tickets.resolve import ResolveTicket

START = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
END = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.timezone.utc)


def _at(day: int, hour: int = 12):
    moment = dt.datetime(2026, 11, day, hour, tzinfo=dt.timezone.utc)
    return lambda: moment


def _complaint(sessions, day: int, sender: str) -> str:
    draft = ComplaintDraft(channel="rest", sender_id=sender, language="zh", category="fees",
                           description="多扣费", desired_outcome="refund",
                           contact_preference="sms")
    return OpenComplaint(sessions, _at(day))(draft).number


def test_kpis_from_tickets_and_scores(database_url: str) -> None:
    sessions = session_factory(database_url)
    on_time = _complaint(sessions, 10, "a")
    late = _complaint(sessions, 11, "b")
    _complaint(sessions, 12, "c")  # never answered: overdue
    _complaint(sessions, 27, "d")  # opened today: still within its SLA, not yet counted
    ResolveTicket(sessions, _at(10, 20))(on_time, "已退费", "agent-1")
    ResolveTicket(sessions, _at(13))(late, "已退费", "agent-1")
    record = RecordCsat(sessions, _at(15))
    for score in (5, 4, 2, 5):
        record(CsatAnswer(channel="rest", sender_id="x", language="zh", score=score,
                          comment=None, served_by="bot"))

    report = kpi_report(sessions, START, END, NOW, conversations=40)
    assert report.csat_responses == 4 and report.csat_percent == 75.0
    assert report.csat_average == 4.0
    assert report.complaints == 4 and report.complaint_rate == 0.1
    assert (report.complaints_due, report.complaints_answered_within_sla) == (3, 1)
    assert report.answered_within_sla_percent == 33.3
    assert report.overdue_tickets == 1


def test_an_empty_period_has_no_rates(database_url: str) -> None:
    report = kpi_report(session_factory(database_url), START, END, NOW, conversations=None)
    assert report.csat_percent is None and report.complaint_rate is None
    assert report.answered_within_sla_percent is None and report.complaints == 0


async def test_conversations_are_counted_from_the_event_stream(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url)
    inside = int(dt.datetime(2026, 11, 5, tzinfo=dt.timezone.utc).timestamp() * 1000)
    before = int(dt.datetime(2026, 10, 5, tzinfo=dt.timezone.utc).timestamp() * 1000)
    await client.xadd(EVENT_STREAM, {"sender_id": "old", "event": "user"}, id=f"{before}-0")
    for offset, (sender, event) in enumerate(
        [("s1", "user"), ("s1", "bot"), ("s1", "user"), ("s2", "user"), ("s3", "bot")] * 500
    ):
        await client.xadd(EVENT_STREAM, {"sender_id": sender, "event": event},
                          id=f"{inside + offset}-0")
    assert await count_conversations(client, START, END) == 2
    await client.close()
