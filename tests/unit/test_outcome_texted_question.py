"""A texted complaint outcome asks whether the customer accepts it, and a plain answer from
that phone is the verdict (bot/outcome_question.py): the outbox worker tells the phone's
conversation once the text went, never before nor when it did not go; a conversation that
starts later finds the outcome last texted to its phone (actions/tickets/texted.py), within
the reply window and while the ticket still awaits the verdict. Real SQLite and PostgreSQL,
the fake Twilio on loopback; the whole flow through Rasa is in tests/integration/test_sms.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, List, Tuple

import pytest
import redis.asyncio as aioredis
from sqlalchemy.orm import Session, sessionmaker

from actions.store.database import session_factory
from actions.store.models import OutboxNotice
from actions.tickets.resolve import RecordOutcome, ResolveTicket
from actions.tickets.texted import awaiting_texted_verdict
from bot.channels.sms_delivery import OptOuts, SmsDelivery
from bot.outcome_question import (
    ACCEPTED_SLOT,
    OUTCOME_FORM,
    REPLY_WINDOW,
    may_ask,
    question_events,
)
from handoff.metrics import HandoffMetrics
from handoff.outcome.deliver import DeliverOutcome
from handoff.outcome.outbox import NoticeOutbox, moment
from handoff.outcome.retry import RetryPolicy
from handoff.outcome.worker import OutboxWorker
from tests.hand_clock import HandClock
from tests.unit.outcome_service import WANG, Service, gateway_of, sqlite_database

LI = "+8613512345678"  # an anonymous customer's mobile, typed on the form as 13512345678
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)
SINCE = NOW - REPLY_WINDOW


def _resolved_and_texted(sessions: sessionmaker[Session], texted_at: dt.datetime,
                         status: str = "sent", **complaint: Any) -> str:
    """A complaint resolved, its outcome's text settled at `texted_at` with `status`."""
    number = Service(None, sessions).complaint(**complaint)
    ResolveTicket(sessions)(number, "已退回", "agent-7")
    with sessions.begin() as session:
        session.add(OutboxNotice(ticket_number=number, channel=complaint.get(
            "contact_preference", "sms"), status=status, attempts=1, next_attempt_at=texted_at,
            created_at=texted_at, finished_at=texted_at))
    return number


@pytest.fixture
def sessions(database_url: str) -> sessionmaker[Session]:
    """On SQLite and on PostgreSQL (the database_url fixture)."""
    return session_factory(database_url)


def test_the_outcome_texted_last_to_the_phone_awaits_the_verdict(sessions) -> None:
    older = _resolved_and_texted(sessions, NOW - dt.timedelta(hours=5),
                                 contact_phone="13512345678")
    assert awaiting_texted_verdict(sessions, LI, SINCE) == older
    latest = _resolved_and_texted(sessions, NOW - dt.timedelta(hours=1),
                                  contact_phone="13512345678")
    # Texted to someone else, later: not this phone's.
    _resolved_and_texted(sessions, NOW - dt.timedelta(minutes=5), contact_phone="13900139002")
    assert awaiting_texted_verdict(sessions, LI, SINCE) == latest
    # Answered (here, on the web): a plain "yes" now is not taken for the older one, whose
    # text asks to quote its number (which still works).
    RecordOutcome(sessions)(latest, True, None, "customer:web-1")
    assert awaiting_texted_verdict(sessions, LI, SINCE) is None


def test_a_text_older_than_the_reply_window_is_no_longer_answered_plainly(sessions) -> None:
    number = _resolved_and_texted(sessions, SINCE - dt.timedelta(minutes=1),
                                  contact_phone="13512345678")
    assert awaiting_texted_verdict(sessions, LI, SINCE) is None
    assert awaiting_texted_verdict(sessions, LI, SINCE - dt.timedelta(hours=1)) == number


def test_a_verified_customer_is_answered_at_their_profile_number(sessions) -> None:
    # The form gave no number: the text went to 王女士's own.
    wang = Service(None, sessions).customer_id("C0001")
    number = _resolved_and_texted(sessions, NOW, customer_id=wang)
    assert awaiting_texted_verdict(sessions, WANG, SINCE) == number
    assert awaiting_texted_verdict(sessions, LI, SINCE) is None


def test_a_complaint_texted_from_the_phone_was_asked_in_its_conversation(sessions) -> None:
    # The bot asked it there itself (already told): after an hour's quiet a new session
    # starts, and the question with it.
    number = _resolved_and_texted(sessions, NOW, "already_told", channel="sms", sender_id=LI)
    assert awaiting_texted_verdict(sessions, LI, SINCE) == number


def test_an_e_mailed_or_unsent_outcome_asks_nothing_by_sms(sessions) -> None:
    _resolved_and_texted(sessions, NOW, contact_preference="email",
                         contact_email="li@example.com", contact_phone="13512345678")
    _resolved_and_texted(sessions, NOW, "gave_up", contact_phone="13512345678")
    assert awaiting_texted_verdict(sessions, LI, SINCE) is None
    assert awaiting_texted_verdict(sessions, "13512345678", SINCE) is None  # not E.164


def test_the_question_waits_for_the_verdict_on_the_ticket_texted() -> None:
    events = question_events("KF-20261128-00042")
    assert {"event": "active_loop", "name": OUTCOME_FORM} in events
    assert events[-1] == {"event": "slot", "name": "requested_slot", "value": ACCEPTED_SLOT}
    assert {"event": "slot", "name": "outcome_ticket", "value": "KF-20261128-00042"} in events
    # A newer text replaces an open outcome question; any other question finishes first.
    assert may_ask(None, None) and may_ask(OUTCOME_FORM, ACCEPTED_SLOT)
    assert not may_ask(OUTCOME_FORM, "outcome_comment") and not may_ask("complaint_form", None)


async def test_the_phone_s_conversation_is_told_once_the_text_went(
        redis_url, tmp_path, twilio) -> None:
    sessions = session_factory(sqlite_database(tmp_path))
    number = Service(None, sessions).complaint(contact_phone="13512345678")
    clock = HandClock()
    outbox = NoticeOutbox(sessions, "handoff-1", lambda: moment(clock()))
    ResolveTicket(sessions, with_resolution=outbox.queue)(number, "已退回", "agent-7")
    redis = aioredis.Redis.from_url(redis_url)
    texted: List[Tuple[str, str]] = []

    async def on_texted(ticket: str, phone: str) -> None:
        texted.append((ticket, phone))

    worker = OutboxWorker(
        outbox, DeliverOutcome(SmsDelivery(gateway_of(twilio).gateway(), OptOuts(lambda: redis)),
                               None, None),
        sessions, RetryPolicy(), clock, HandoffMetrics(), on_texted=on_texted)
    twilio.outage = [503] * 3  # the gateway's three quick tries, all refused
    claim = outbox.claimed_for(number)
    assert claim is not None and (await worker.attempt(claim)).status == "pending"
    assert texted == [] and twilio.sent_to(LI) == []
    clock.now += 10 * 60 * 1000  # past the first retry's wait
    assert [notice.status for notice in await worker.tick()] == ["sent"]
    assert texted == [(number, LI)] and len(twilio.sent_to(LI)) >= 1
    await redis.close()
