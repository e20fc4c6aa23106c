"""A complaint's outcome text or e-mail is durable (the outbox, handoff/outcome/): stored with
the resolution, so a handoff service killed before sending sends it once restarted; a
temporary failure is tried again later, a permanent one is not; after the last attempt
allowed the ticket's history says it was given up; two instances never send one notice
twice. The real app and resolve endpoint (also as a process, killed), a real Redis, SQLite
and PostgreSQL, the fake Twilio and a real SMTP server on loopback. The worker's passes run
at moments the tests choose on a hand clock (tests/hand_clock.py), never by waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from sqlalchemy import text

from actions.store.database import session_factory
from actions.tickets.resolve import RecordOutcome, ResolveTicket
from bot.channels.sms_segments import split_sms
from handoff.agents import save_account
from handoff.app import create_app
from handoff.keys import LIVE_CHANNEL
from handoff.outcome.outbox import LEASE, Claim, NoticeOutbox, moment
from handoff.outcome.retry import RetryPolicy
from handoff.outcome.smtp import SmtpSettings
from handoff.outcome.texts import outcome_sms
from handoff.outcome.worker import OutboxWorker
from handoff.routing.clock import now_ms
from handoff.settings import HandoffSettings, load_settings
from handoff.state import outbox_key
from stack.processes import free_port, wait_until_healthy
from stack.settings import PROJECT_ROOT
from tests.fakes.held_rasa import HeldRasa
from tests.fakes.smtp_server import LoopbackSmtp
from tests.fakes.twilio import FakeTwilio
from tests.hand_clock import HandClock
from tests.unit.outcome_service import (
    AUTH,
    MAIL_FROM,
    TOKEN,
    WANG,
    Service,
    gateway_of,
    service_settings,
)

RESOLUTION = "已退回多收的年费200元"
SENT_TO_WANG = "outcome sent by sms to +86138****8001"
PENDING = "kefu_handoff_outcome_notices_pending"


def counter(name: str, channel: str = "sms") -> str:
    """The sample of a complaint-outcome counter (sent, retried, given_up) for `channel`."""
    return f'kefu_handoff_outcome_notices_{name}_total{{channel="{channel}"}}'


def not_sent(status: str, channel: str = "sms") -> str:
    """The sample of the counter of notices not sent for good (failed, not_configured)."""
    return f'kefu_handoff_outcome_notices_failed_total{{channel="{channel}",status="{status}"}}'


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


def _settings(redis_url: str, database_url: str, twilio: FakeTwilio, relay: LoopbackSmtp,
              **outside: Any) -> HandoffSettings:
    return service_settings(redis_url, database_url, sms_gateway=gateway_of(twilio),
                            smtp=SmtpSettings(host="127.0.0.1", port=relay.port,
                                              sender=MAIL_FROM),
                            secure_cookies=False, **outside)


async def _service(aiohttp_client, settings: HandoffSettings, clock: HandClock,
                   twilio: FakeTwilio, relay: LoopbackSmtp) -> Service:
    client = await aiohttp_client(create_app(settings, routing_clock=clock))
    return Service(client, session_factory(settings.database_url), twilio, relay)


@pytest.fixture
async def service(aiohttp_client, redis_url, database_url, twilio, relay, clock) -> Service:
    """On SQLite and on PostgreSQL (the database_url fixture); at most three attempts."""
    settings = _settings(redis_url, database_url, twilio, relay,
                         outcome_retry=RetryPolicy(max_attempts=3, first_wait_seconds=30))
    return await _service(aiohttp_client, settings, clock, twilio, relay)


def worker_of(service: Service) -> OutboxWorker:
    return service.client.app[outbox_key]


def after(clock: HandClock, seconds: float) -> dt.datetime:
    """A moment this long after the hand clock's (which itself never moves here, so the
    service's own passes never find these notices due)."""
    return moment(clock.now) + dt.timedelta(seconds=seconds)


async def _complaint_news(consoles: PubSub) -> Dict[str, Any]:
    """The next complaints_changed published to consoles within 5 s (other console events
    skipped; get_message answers None for the subscription's own confirmation too)."""
    deadline = asyncio.get_running_loop().time() + 5
    while asyncio.get_running_loop().time() < deadline:
        published = await consoles.get_message(timeout=0.5)
        if published is None:
            continue
        event = dict(json.loads(published["data"]))
        if event["event"]["type"] == "complaints_changed":
            return event
    raise AssertionError("no complaints_changed published")


def _outcome_lines(service: Service, number: str) -> List[str]:
    return [note for _, _, note in service.history(number) if note.startswith("outcome")]


def _handoff_process(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python -m handoff` as the Procfile runs it, healthy."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "handoff", "--port", environment["PORT"]],
            env={**os.environ, **environment}, cwd=PROJECT_ROOT, stdout=output,
            stderr=subprocess.STDOUT)
    wait_until_healthy({"handoff": f"http://127.0.0.1:{environment['PORT']}/health"}, process,
                       timeout_seconds=60)
    return process


async def test_a_notice_stored_with_the_resolution_is_sent_once_after_a_crash(
        aiohttp_client, redis_url, database_url, twilio, relay, tmp_path) -> None:
    """The service is killed (SIGKILL) after storing the resolution, while Rasa is being
    asked to tell the customer and before the text goes out; restarted under the same
    KEFU_HANDOFF_INSTANCE, it sends the text at once, and once."""
    sessions = session_factory(database_url)
    before = Service(None, sessions, twilio, relay)
    number = before.complaint(contact_phone="13800138001")
    with HeldRasa() as rasa:
        port = str(free_port())
        process = _handoff_process({
            "PORT": port, "REDIS_URL": redis_url, "KEFU_SERVICE_TOKEN": TOKEN,
            "KEFU_DATABASE_URL": database_url, "KEFU_RASA_URL": rasa.url,
            "KEFU_HANDOFF_INSTANCE": "handoff-crash", **twilio.environment()},
            tmp_path / "handoff.log")
        try:
            resolving = asyncio.create_task(asyncio.to_thread(
                requests.post, f"http://127.0.0.1:{port}/api/v1/tickets/{number}/resolve",
                headers=AUTH, json={"resolution": RESOLUTION, "agent_id": "agent-7"},
                timeout=60))
            assert await asyncio.to_thread(rasa.arrived.wait, 30)
        finally:
            process.kill()
            process.wait()
        with pytest.raises(requests.ConnectionError):
            await resolving
    assert before.ticket(number) == ("resolved", RESOLUTION)
    assert before.outbox(number) == [("pending", 1, None)] and twilio.messages == []

    restarted = await _service(aiohttp_client, _settings(
        redis_url, database_url, twilio, relay, instance="handoff-crash"), HandClock(),
        twilio, relay)
    await asyncio.wait_for(worker_of(restarted).recovered.wait(), timeout=60)
    text = split_sms(outcome_sms(number, RESOLUTION, "zh"))
    assert restarted.texts_to(WANG) == text
    assert restarted.outbox(number) == [("sent", 2, None)]
    assert _outcome_lines(restarted, number) == [SENT_TO_WANG]
    assert await worker_of(restarted).tick(moment(now_ms()) + 2 * LEASE) == []
    assert restarted.texts_to(WANG) == text


def test_a_start_takes_back_only_the_claims_held_before_it(database_url) -> None:
    """A request the restarted process serves before its worker's first pass keeps its claim:
    taking that back too would send its notice twice."""
    sessions = session_factory(database_url)
    desk = Service(None, sessions)
    left, new = (desk.complaint(contact_phone=phone) for phone in ("13800138001", "13800138002"))
    stopped = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
    restarted = stopped + dt.timedelta(minutes=1)
    for number, at in ((left, stopped), (new, restarted)):
        outbox = NoticeOutbox(sessions, "handoff-1", lambda at=at: at)
        ResolveTicket(sessions, with_resolution=outbox.queue)(number, RESOLUTION, "agent-7")
    assert outbox.release_mine(restarted) == 1
    [due] = outbox.due(restarted, limit=10)
    assert outbox.claim(due, restarted) == Claim(due.row_id, left, "sms", 2)
    assert outbox.claimed_for(new) is not None  # still the request's own


@pytest.mark.parametrize("channel", ["sms", "email"])
async def test_a_notice_refused_for_now_is_sent_at_a_later_attempt(service, clock, channel,
                                                                   redis_url) -> None:
    if channel == "sms":
        number = service.complaint(contact_phone="13800138001")
        service.twilio.outage = [503] * 3  # the gateway's three quick tries, all refused
        reason, to = "gateway answered 503", "+86138****8001"
    else:
        number = service.complaint(contact_preference="email", contact_email="li@example.com")
        service.relay.mailbox.refusals = ["451 4.3.0 Try again later"] * 3
        reason, to = "relay answered 451", "l***@example.com"
    notice = (await service.resolve(number, RESOLUTION))["outcome_notice"]
    assert (notice["channel"], notice["status"], notice["to"], notice["reason"],
            notice["at"]) == (channel, "pending", to, reason, None)
    assert service.outbox(number) == [("pending", 1, reason)]
    assert _outcome_lines(service, number) == [] and service.audited(number) == []
    assert (await service.counted(counter("retried", channel)),
            await service.counted(counter("sent", channel)),
            await service.counted(PENDING)) == (1, 0, 1)

    assert await worker_of(service).tick(after(clock, 29)) == []  # due 30 s after the first
    consoles = Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    await consoles.subscribe(LIVE_CHANNEL)
    [retried] = await worker_of(service).tick(after(clock, 30))
    # Open consoles are told: an open complaint shows the final result without a reload.
    assert await _complaint_news(consoles) == {
        "audience": ["agents"], "event": {"type": "complaints_changed", "number": number}}
    await consoles.close()
    assert (retried.status, retried.to) == ("sent", to)
    if channel == "sms":
        assert service.texts_to(WANG) == split_sms(outcome_sms(number, RESOLUTION, "zh"))
    else:
        assert [mail.rcpt_tos for mail in service.relay.received] == [["li@example.com"]]
    assert service.outbox(number) == [("sent", 2, None)]
    assert _outcome_lines(service, number) == [f"outcome sent by {channel} to {to}"]
    assert [row["status"] for row in service.audited(number)] == ["sent"]
    assert (await service.counted(counter("retried", channel)),
            await service.counted(counter("sent", channel)),
            await service.counted(PENDING)) == (1, 1, 0)


@pytest.mark.parametrize(("given", "refusal", "reason"), [
    ({"contact_phone": "13800138001"}, 400, "gateway answered 400"),
    ({}, None, "no phone number"),  # a web complaint that left no number to text
    ({"contact_preference": "email", "contact_email": "li@example.com"},
     "550 5.1.1 Mailbox unavailable", "relay answered 550"),
])
async def test_a_notice_refused_for_good_is_not_tried_again(service, clock, given, refusal,
                                                           reason) -> None:
    number = service.complaint(**given)
    if isinstance(refusal, int):
        service.twilio.outage = [refusal]
    elif refusal:
        service.relay.mailbox.refusals = [refusal]
    notice = (await service.resolve(number, RESOLUTION))["outcome_notice"]
    assert (notice["status"], notice["reason"]) == ("failed", reason)
    assert await worker_of(service).tick(after(clock, 24 * 3600)) == []
    # Nothing was refused again: a retry would have been taken this time.
    assert service.twilio.messages == [] and service.relay.received == []
    assert service.outbox(number) == [("failed", 1, reason)]
    assert len(_outcome_lines(service, number)) == 1
    channel = given.get("contact_preference", "sms")
    assert [await service.counted(counter(name, channel))
            for name in ("sent", "retried", "given_up")] == [0, 0, 0]
    # Counted once, as not sent for good: the customer was never told.
    assert (await service.counted(not_sent("failed", channel)),
            await service.counted(not_sent("not_configured", channel))) == (1, 0)
    assert await service.counted(PENDING) == 0


async def test_after_the_last_attempt_allowed_the_history_says_it_was_given_up(
        service, clock, caplog) -> None:
    number = service.complaint(contact_phone="13800138001")
    service.twilio.outage = [503] * 9  # three attempts of three quick tries
    with caplog.at_level(logging.INFO):
        assert (await service.resolve(number, RESOLUTION))["outcome_notice"]["status"] == \
            "pending"
        [second] = await worker_of(service).tick(after(clock, 30))
        assert second.status == "pending"
        assert await worker_of(service).tick(after(clock, 89)) == []  # 60 s after the second
        [third] = await worker_of(service).tick(after(clock, 90))
    gave_up = "gave up after 3 attempts: gateway answered 503"
    assert (third.status, third.reason) == ("gave_up", gave_up)
    line = f"outcome not sent by sms to +86138****8001: {gave_up}"
    assert _outcome_lines(service, number) == [line]
    assert service.audited(number) == [{"actor": "system", "channel": "sms",
                                        "status": "gave_up", "to": "+86138****8001",
                                        "reason": gave_up}]
    assert service.outbox(number) == [("gave_up", 3, gave_up)]
    assert [await service.counted(counter(name)) for name in ("sent", "retried", "given_up")] \
        == [0, 2, 1]
    # Given up is counted once, as given up only.
    assert [await service.counted(not_sent(status)) for status in ("failed", "not_configured")] \
        == [0, 0]
    assert await service.counted(PENDING) == 0
    logged = [r.getMessage() for r in caplog.records]
    assert f"outcome.gave_up ticket={number} channel=sms to=+86138****8001 " \
           f"reason={gave_up}" in logged
    assert all("13800138001" not in message for message in logged)
    assert await worker_of(service).tick(after(clock, 24 * 3600)) == []
    assert service.twilio.outage == [] and service.twilio.messages == []

    # The supervisor reads it in the console's complaint detail.
    save_account(service.sessions, "pw", agent_id="chen", display_name="陈", role="supervisor",
                 languages="zh,en", skills="general", max_chats=3)
    login = await service.client.post("/api/v1/agent/login",
                                      json={"agent_id": "chen", "password": "pw"})
    assert login.status == 200
    detail = await (await service.client.get(f"/api/v1/agent/complaints/{number}")).json()
    assert detail["history"][-1]["note"] == line and detail["history"][-1]["actor"] == "system"
    # …and the console shows it in its own words: given up, call the customer.
    assert (detail["history"][-1]["kind"], detail["history"][-1]["params"]) == ("outcome", {
        "channel": "sms", "status": "gave_up", "to": "+86138****8001", "reason": gave_up})
    # The customer was never told: the detail says so, with the number to call, and the
    # complaint (resolved by the service, nobody's) waits in the queue, marked.
    assert (detail["undelivered"], {k: v for k, v in detail["undelivered_notice"].items()
                                    if k != "at"}) == (True, {
        "channel": "sms", "status": "gave_up", "reason": gave_up, "call_to": "+86****8001"})
    listed = await (await service.client.get("/api/v1/agent/complaints")).json()
    assert [(item["number"], item["status"], item["undelivered"])
            for item in listed["queue"]] == [(number, "resolved", True)]


async def test_two_instances_racing_send_each_notice_once(
        aiohttp_client, redis_url, database_url, twilio, relay, clock) -> None:
    """Both read the same due notices, then both claim and send them at once."""
    services = [await _service(aiohttp_client, _settings(
        redis_url, database_url, twilio, relay, instance=instance), clock, twilio, relay)
        for instance in ("handoff-a", "handoff-b")]
    phones = [f"1380013800{n}" for n in range(1, 7)]
    numbers = [services[0].complaint(contact_phone=phone) for phone in phones]
    twilio.outage = [503] * 3 * len(numbers)  # every first attempt fails for now
    for number in numbers:
        assert (await services[0].resolve(number, RESOLUTION))["outcome_notice"]["status"] == \
            "pending"
    at = after(clock, 30)
    workers = [worker_of(one) for one in services]
    due = [await worker.due(at) for worker in workers]
    assert len(due[0]) == len(due[1]) == len(numbers)
    sent = await asyncio.gather(*(worker.send_due(notices, at)
                                  for worker, notices in zip(workers, due, strict=True)))
    assert sorted(notice.status for notice in sent[0] + sent[1]) == ["sent"] * len(numbers)
    for number, phone in zip(numbers, phones, strict=True):
        texts = [message.body for message in twilio.sent_to(f"+86{phone}")]
        assert texts == split_sms(outcome_sms(number, RESOLUTION, "zh"))
        assert services[0].outbox(number) == [("sent", 2, None)]
        assert len(_outcome_lines(services[0], number)) == 1
    # Each counted once, by the instance that sent it.
    assert [await one.counted(counter("sent")) for one in services] == [
        len(sent[0]), len(sent[1])]


async def test_a_ticket_reopened_before_the_retry_is_not_sent_the_old_outcome(
        service, clock) -> None:
    number = service.complaint(contact_phone="13800138001")
    service.twilio.outage = [503] * 3
    await service.resolve(number, RESOLUTION)
    RecordOutcome(service.sessions)(number, False, "还没到账", "customer:web-1")
    [superseded] = await worker_of(service).tick(after(clock, 30))
    assert superseded.status == "superseded"
    assert service.twilio.messages == [] and _outcome_lines(service, number) == []
    assert service.outbox(number) == [("superseded", 2, "the ticket was reopened")]


async def test_a_new_resolution_replaces_the_notice_still_waiting(service, clock) -> None:
    number = service.complaint(contact_phone="13800138001")
    service.twilio.outage = [503] * 3
    await service.resolve(number, RESOLUTION)
    RecordOutcome(service.sessions)(number, False, "还没到账", "customer:web-1")
    assert (await service.resolve(number, "已到账"))["outcome_notice"]["status"] == "sent"
    assert await worker_of(service).tick(after(clock, 30)) == []
    assert service.texts_to(WANG) == split_sms(outcome_sms(number, "已到账", "zh"))
    assert [status for status, _, _ in service.outbox(number)] == ["superseded", "sent"]


async def test_an_unreadable_outbox_shows_as_no_figure_and_the_scrape_goes_on(
        service, caplog) -> None:
    number = service.complaint(contact_phone="13800138001")
    assert (await service.resolve(number, RESOLUTION))["outcome_notice"]["status"] == "sent"
    with service.sessions.begin() as session:
        session.execute(text("DROP TABLE outcome_notices"))
    assert math.isnan(await service.counted(PENDING))  # not a stale or made-up count
    assert await service.counted(counter("sent")) == 1
    assert "outcome.outbox_unavailable error=" in caplog.text


def test_attempts_and_their_spacing_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("KEFU_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("KEFU_OUTCOME_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("KEFU_OUTCOME_RETRY_SECONDS", "60")
    policy = load_settings().outcome_retry
    assert (policy.max_attempts, policy.first_wait_seconds) == (5, 60)
    assert [policy.wait_after(n).total_seconds() for n in range(1, 5)] == [60, 120, 240, 480]
    assert RetryPolicy().wait_after(20).total_seconds() == 3600  # an hour at most
    defaults = HandoffSettings(redis_url="redis://127.0.0.1:1", service_token=TOKEN)
    assert defaults.outcome_retry == RetryPolicy(max_attempts=8, first_wait_seconds=30)
    monkeypatch.setenv("KEFU_OUTCOME_RETRY_SECONDS", "soon")
    with pytest.raises(ValueError, match="KEFU_OUTCOME_RETRY_SECONDS"):
        load_settings()
    with pytest.raises(ValueError, match="KEFU_OUTCOME_MAX_ATTEMPTS must be at least 1"):
        create_app(HandoffSettings(redis_url="redis://127.0.0.1:1", service_token=TOKEN,
                                   outcome_retry=RetryPolicy(max_attempts=0)))
