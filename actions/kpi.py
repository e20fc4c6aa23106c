"""The contact center's KPI report: satisfaction, complaints, answers within the SLA, overdue.

Read from the SQL store (tickets, satisfaction scores) and from the event stream in Redis
(how many conversations there were). Served as JSON by the handoff service
(`GET /api/v1/kpi`) and printed by `make kpi`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional, Set

from redis.asyncio import Redis
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import CsatResponse, Ticket
from actions.tickets.records import OPEN_TICKET_STATUSES

EVENT_STREAM = "kefu:events"
STREAM_BATCH = 1000


@dataclass(frozen=True)
class KpiReport:
    period_start: str
    period_end: str
    conversations: Optional[int]
    csat_responses: int
    csat_percent: Optional[float]  # share of scores 4 or 5
    csat_average: Optional[float]
    complaints: int
    complaint_rate: Optional[float]  # complaints per conversation
    complaints_due: int  # answered, or past their SLA: the ones that count for the next two
    complaints_answered_within_sla: int
    answered_within_sla_percent: Optional[float]
    overdue_tickets: int  # open now, past their SLA (whenever opened)

    def as_json(self) -> Dict[str, Any]:
        return asdict(self)


def _percent(part: int, whole: int) -> Optional[float]:
    return round(100 * part / whole, 1) if whole else None


async def count_conversations(redis: Redis, start: dt.datetime, end: dt.datetime) -> int:
    """Distinct conversations in which the customer wrote, from the event stream's ids (ms)."""
    senders: Set[bytes] = set()
    cursor = f"{int(start.timestamp() * 1000)}-0"
    last = f"{int(end.timestamp() * 1000)}-99999999"
    while True:
        entries = await redis.xrange(EVENT_STREAM, min=cursor, max=last, count=STREAM_BATCH)
        for _, fields in entries:
            if fields.get(b"event") == b"user":
                senders.add(fields[b"sender_id"])
        if len(entries) < STREAM_BATCH:
            return len(senders)
        cursor = "(" + entries[-1][0].decode()  # exclusive: continue after the last one


def kpi_report(
    sessions: sessionmaker[Session],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    conversations: Optional[int],
) -> KpiReport:
    in_period = and_(Ticket.kind == "complaint", Ticket.created_at >= start,
                     Ticket.created_at < end)
    with sessions() as session:
        scores = session.execute(
            select(func.count(CsatResponse.id),
                   func.sum(case((CsatResponse.score >= 4, 1), else_=0)),
                   func.avg(CsatResponse.score))
            .where(CsatResponse.created_at >= start, CsatResponse.created_at < end)
        ).one()
        complaints = session.execute(select(func.count(Ticket.id)).where(in_period)).scalar_one()
        due = session.execute(
            select(func.count(Ticket.id)).where(
                in_period, or_(Ticket.first_response_at.is_not(None), Ticket.sla_due_at <= now))
        ).scalar_one()
        within = session.execute(
            select(func.count(Ticket.id)).where(
                in_period, Ticket.first_response_at.is_not(None),
                Ticket.first_response_at <= Ticket.sla_due_at)
        ).scalar_one()
        overdue = session.execute(
            select(func.count(Ticket.id)).where(
                Ticket.status.in_(OPEN_TICKET_STATUSES), Ticket.first_response_at.is_(None),
                Ticket.sla_due_at < now)
        ).scalar_one()
    responses, satisfied, average = int(scores[0]), int(scores[1] or 0), scores[2]
    return KpiReport(
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        conversations=conversations,
        csat_responses=responses,
        csat_percent=_percent(satisfied, responses),
        csat_average=round(float(average), 2) if average is not None else None,
        complaints=complaints,
        complaint_rate=round(complaints / conversations, 4) if conversations else None,
        complaints_due=due,
        complaints_answered_within_sla=within,
        answered_within_sla_percent=_percent(within, due),
        overdue_tickets=overdue,
    )


def period(days: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The last `days` days up to now."""
    if not 1 <= days <= 366:
        raise ValueError("days must be between 1 and 366")
    return now - dt.timedelta(days=days), now


async def report_for_days(
    sessions: sessionmaker[Session], redis: Optional[Redis], days: int, now: dt.datetime
) -> KpiReport:
    start, end = period(days, now)
    conversations = await count_conversations(redis, start, end) if redis is not None else None
    return kpi_report(sessions, start, end, now, conversations)


async def _main(days: int) -> Dict[str, Any]:
    import os

    from redis.exceptions import ConnectionError as RedisConnectionError

    from actions.store.database import database_url, session_factory
    from actions.store.models import utc_now

    redis_url = os.environ.get("REDIS_URL") or \
        f"redis://127.0.0.1:{os.environ.get('KEFU_REDIS_PORT', '6380')}/0"
    client: Optional[Redis] = Redis.from_url(redis_url)
    try:
        await client.ping()  # type: ignore[union-attr]
    except RedisConnectionError:
        print(f"kpi: Redis at {redis_url} is not running; conversations are not counted")
        client = None
    try:
        report = await report_for_days(session_factory(database_url()), client, days, utc_now())
    finally:
        if client is not None:
            await client.close()
    return report.as_json()


if __name__ == "__main__":
    import argparse
    import asyncio
    import json

    parser = argparse.ArgumentParser(description="kefu's KPI report as JSON")
    parser.add_argument("--days", type=int, default=30)
    print(json.dumps(asyncio.run(_main(parser.parse_args().days)), indent=2))
