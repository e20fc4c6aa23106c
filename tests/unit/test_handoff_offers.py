"""Offers that time out and skill overflow, through the real app factory, a real Redis and a
SQLite file. The routing passes read a clock the test moves by hand (the service's own
passes every 2 s too), and each test runs the pass it needs itself: no test waits."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any, AsyncIterator, Awaitable, Dict, List, Optional, Tuple, TypeVar

import pytest
from aiohttp import ClientSession, ClientWebSocketResponse, CookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from actions.store.database import migrate, session_factory
from actions.store.models import AuditEvent, utc_now
from handoff import dispatcher as dispatcher_module
from handoff.agents import save_account
from handoff.app import create_app
from handoff.keys import (
    ONLINE_AGENTS_KEY,
    QUEUE_KEY,
    agent_chats_key,
    agent_key,
    conversation_key,
    redis_key,
)
from handoff.routing.assign import Assignment
from handoff.settings import HandoffSettings, load_settings
from handoff.state import dispatcher_key, live_key, metrics_key
from tests.hand_clock import HandClock
from tests.scraped_metrics import scraped

T = TypeVar("T")
TOKEN = "t"
SERVICE = {"Authorization": f"Bearer {TOKEN}"}
TEAM = {
    "ana": {"languages": "zh,en", "skills": "general", "max_chats": 1},
    "cai": {"languages": "zh", "skills": "general", "max_chats": 1},
    "bo": {"languages": "en", "skills": "general,fraud", "max_chats": 1},
    "eve": {"languages": "en", "skills": "general", "max_chats": 2},
}
OFFER_MS = 60_000
# Shorter than an offer here, so that a pass past the overflow never withdraws an offer
# made at the start.
OVERFLOW_MS = 30_000


class Agent:
    """One signed-in browser: its own cookie jar and CSRF token."""

    def __init__(self, http: ClientSession, csrf: str) -> None:
        self.http = http
        self.csrf = csrf

    async def post(self, path: str, body: Dict[str, Any] | None = None) -> Any:
        return await self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})


class Service:
    def __init__(self, servers: List[TestClient], database_url: str,
                 clock: HandClock) -> None:
        self.servers = servers
        self.clock = clock
        self.database_url = database_url
        self.sessions = session_factory(database_url)
        self._browsers: List[ClientSession] = []

    @property
    def app(self) -> Any:
        return self.servers[0].app

    async def sign_in(self, agent_id: str, instance: int = 0) -> Agent:
        http = ClientSession(base_url=str(self.servers[instance].make_url("")),
                             cookie_jar=CookieJar(unsafe=True))
        self._browsers.append(http)
        reply = await http.post("/api/v1/agent/login",
                                json={"agent_id": agent_id, "password": "pw"})
        assert reply.status == 200, await reply.text()
        return Agent(http, (await reply.json())["csrf_token"])

    async def open_console(self, agent: Agent,
                           instance: Optional[int] = None) -> ClientWebSocketResponse:
        """The agent's live console (on `instance`, else where they signed in), once the
        service has it (its pong came back)."""
        http = agent.http
        if instance is not None:  # the same browser's cookies, another instance's address
            http = ClientSession(base_url=str(self.servers[instance].make_url("")),
                                 cookie_jar=agent.http.cookie_jar)
            self._browsers.append(http)
        socket = await http.ws_connect("/api/v1/agent/live")
        await socket.send_str("ping")
        await _next_event(socket, "pong")
        return socket

    async def queue(self, conversation_id: str, language: str = "zh",
                    reason: str = "customer_request") -> int:
        """Hand the conversation over; the time it was queued (ms)."""
        reply = await self.servers[0].post("/api/v1/handoffs", headers=SERVICE, json={
            "conversation_id": conversation_id, "channel": "rest", "language": language,
            "reason": reason, "summary": "转人工",
            "transcript": [{"role": "customer", "text": "转人工", "timestamp": 1.0}]})
        assert reply.status == 201, await reply.text()
        return await self._stored_ms(conversation_id, "enqueued_at")

    async def offered(self, conversation_id: str, at_ms: int) -> int:
        """Route at `at_ms`; when the conversation was offered (ms). The service's own
        passes (every 2 s, at the real time) may have offered it first."""
        await self.route(at_ms)
        return await self._stored_ms(conversation_id, "assigned_at")

    async def _stored_ms(self, conversation_id: str, field: str) -> int:
        stored = await self.app[redis_key].hget(conversation_key(conversation_id), field)
        return int(stored)

    async def route(self, at_ms: int, instance: int = 0) -> List[Assignment]:
        """Move the clock to `at_ms` and run a pass (the service's own passes may do part of
        its work first: tests look at the state it leaves)."""
        self.clock.now = at_ms
        return await self.servers[instance].app[dispatcher_key].route_once()

    def audited(self, action: str) -> List[Tuple[str, str, Dict[str, Any]]]:
        with self.sessions() as session:
            rows = session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars().all()
            return [(row.actor, row.subject, json.loads(row.detail)) for row in rows]

    async def metric(self, line_start: str) -> str:
        body = await (await self.servers[0].get("/metrics", headers=SERVICE)).text()
        return next(line for line in body.splitlines() if line.startswith(line_start))

    async def counted(self, sample: str, instance: int = 0) -> float:
        """A sample of `instance`'s metrics (`name_total{label="value"}`)."""
        return await scraped(self.servers[instance], sample, TOKEN)

    async def close(self) -> None:
        for http in self._browsers:
            await http.close()
        for server in self.servers:
            await server.close()


async def _service(redis_url: str, tmp_path: Any, instances: int = 1,
                   overflow_seconds: int = OVERFLOW_MS // 1000, **more: Any) -> Service:
    """`more`: other fields of HandoffSettings."""
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    for agent_id, fields in TEAM.items():
        save_account(session_factory(database_url), "pw", agent_id=agent_id,
                     display_name=agent_id.title(), **fields)
    servers = []
    clock = HandClock()
    for number in range(instances):
        settings = HandoffSettings(
            redis_url=redis_url, service_token=TOKEN, database_url=database_url,
            secure_cookies=False, rasa_url="http://127.0.0.1:9",
            instance=f"handoff-{number}", offer_seconds=OFFER_MS // 1000,
            skill_overflow_seconds=overflow_seconds, **more)
        server = TestClient(TestServer(create_app(settings, routing_clock=clock)))
        await server.start_server()
        servers.append(server)
    return Service(servers, database_url, clock)


@pytest.fixture
async def service(redis_url, tmp_path) -> AsyncIterator[Service]:
    started = await _service(redis_url, tmp_path)
    yield started
    await started.close()


async def _next_event(socket: ClientWebSocketResponse, kind: str) -> Dict[str, Any]:
    while True:
        event: Dict[str, Any] = json.loads((await socket.receive(timeout=10)).data)
        if event["type"] == kind:
            return event


# ---------------------------------------------------------------- offers that time out


async def _supervisor(service: Service) -> Agent:
    """boss: a supervisor who watches (away) rather than takes conversations."""
    save_account(service.sessions, "pw", agent_id="boss", display_name="Boss", languages="en",
                 skills="general", max_chats=1, role="supervisor")
    boss = await service.sign_in("boss")
    await boss.post("/api/v1/agent/presence", {"presence": "away"})
    return boss


async def test_an_offer_not_accepted_in_time_goes_back_and_the_agent_is_set_away(
        service, redis_client) -> None:
    ana = await service.sign_in("ana")
    console = await ana.http.ws_connect("/api/v1/agent/live")
    first_at = await service.queue("c-1")
    await service.queue("c-2")
    score = float(redis_client.hget(conversation_key("c-1"), "score"))  # its place when queued
    offered_at = await service.offered("c-1", first_at)
    assert redis_client.hmget(conversation_key("c-1"), "status", "agent") == [b"assigned",
                                                                              b"ana"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-2"]  # ana takes one at a time

    # One millisecond short of the limit: still ana's.
    await service.route(offered_at + OFFER_MS - 1)
    assert redis_client.hget(conversation_key("c-1"), "status") == b"assigned"

    await service.route(offered_at + OFFER_MS)
    # Back at its old place (ahead of c-2, same score, its wait not restarted).
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-1", b"c-2"]
    assert redis_client.zscore(QUEUE_KEY, "c-1") == score
    stored = redis_client.hmget(conversation_key("c-1"), "status", "agent", "enqueued_at")
    assert stored == [b"queued", b"", str(first_at).encode()]
    # Ana is away: holds nothing, gets nothing, and cannot take it back from the queue.
    assert redis_client.hget(agent_key("ana"), "presence") == b"away"
    assert not redis_client.sismember(ONLINE_AGENTS_KEY, "ana")
    assert redis_client.smembers(agent_chats_key("ana")) == set()
    assert int(redis_client.hget(agent_key("ana"), "active")) == 0
    refused = await ana.post("/api/v1/agent/conversations/c-1/accept")
    assert refused.status == 409 and (await refused.json())["code"] == "not_online"
    me = await (await ana.http.get("/api/v1/agent/me")).json()
    assert me["presence"] == "away"

    withdrawn = await _next_event(console, "offer_withdrawn")
    assert (withdrawn["conversation_id"], withdrawn["agent_id"]) == ("c-1", "ana")
    assert service.audited("conversation.offer_withdrawn") == [
        ("system", "c-1", {"agent": "ana", "offered_seconds": 60, "agent_presence": "away"})]
    assert await service.metric("kefu_handoff_offers_missed_total") == \
        "kefu_handoff_offers_missed_total 1.0"
    await console.close()

    # Another agent comes online: the next pass gives them the first in the queue.
    await service.sign_in("cai")
    await service.route(offered_at + OFFER_MS + 1000)
    assert redis_client.hmget(conversation_key("c-1"), "status", "agent") == [b"assigned",
                                                                              b"cai"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-2"]


async def test_supervisors_see_the_missed_offer_and_the_agent_away(service) -> None:
    boss = await _supervisor(service)
    watching = await boss.http.ws_connect("/api/v1/agent/live")
    await service.sign_in("ana")
    offered_at = await service.offered("c-1", await service.queue("c-1"))
    await service.route(offered_at + OFFER_MS)
    withdrawn = await _next_event(watching, "offer_withdrawn")
    assert (withdrawn["conversation_id"], withdrawn["agent_id"]) == ("c-1", "ana")
    presence = await _next_event(watching, "presence")
    assert (presence["agent_id"], presence["presence"]) == ("ana", "away")
    overview = await (await boss.http.get("/api/v1/supervisor/overview")).json()
    assert {a["agent_id"]: a["presence"] for a in overview["agents"]}["ana"] == "away"
    await watching.close()


async def test_supervisors_list_the_missed_offers_of_the_last_day(service) -> None:
    boss = await _supervisor(service)
    with service.sessions.begin() as session:  # a missed offer of the day before
        session.add(AuditEvent(occurred_at=utc_now() - dt.timedelta(hours=25), actor="system",
                               action="conversation.offer_withdrawn", subject="c-old",
                               detail=json.dumps({"agent": "cai", "offered_seconds": 60})))
    watching = await boss.http.ws_connect("/api/v1/agent/live")
    ana = await service.sign_in("ana")
    offered_at = await service.offered("c-1", await service.queue("c-1"))
    await service.route(offered_at + OFFER_MS + 5000)
    await _next_event(watching, "offer_withdrawn")
    # Read at the event, as the console does: the audit row is written before it is sent.
    listed = await (await boss.http.get("/api/v1/supervisor/missed-offers")).json()
    assert listed["count"] == 1
    [missed] = listed["missed_offers"]
    assert (missed["conversation_id"], missed["agent_id"], missed["offered_seconds"]) == (
        "c-1", "ana", 65)
    assert abs(dt.datetime.fromisoformat(missed["occurred_at"]) - utc_now()) \
        < dt.timedelta(minutes=1)
    # Still waiting: titled as the lists title it, not by its id.
    assert (missed["channel"], missed["customer_verified"]) == ("rest", False)

    two_days = await (await boss.http.get("/api/v1/supervisor/missed-offers?hours=48")).json()
    assert [m["conversation_id"] for m in two_days["missed_offers"]] == ["c-1", "c-old"]
    # A handoff no longer held in Redis is known by its id alone.
    assert "customer_verified" not in two_days["missed_offers"][1]
    newest = await (await boss.http.get(
        "/api/v1/supervisor/missed-offers?hours=48&limit=1")).json()
    assert (newest["count"], [m["conversation_id"] for m in newest["missed_offers"]]) == (
        2, ["c-1"])
    for query in ("limit=0", "limit=201", "hours=169", "hours=a%20day"):
        refused = await boss.http.get(f"/api/v1/supervisor/missed-offers?{query}")
        assert refused.status == 400, query
        assert "whole number" in (await refused.json())["error"]
    assert (await ana.http.get("/api/v1/supervisor/missed-offers")).status == 403
    await watching.close()


async def test_a_missed_offer_is_audited_before_consoles_hear_of_it(service,
                                                                    monkeypatch) -> None:
    """Supervisors' consoles read the missed offers when the event arrives."""
    hub = service.app[live_key]
    publish = hub.publish
    audited_when_heard: List[Any] = []

    async def recording(audience: Any, event: Dict[str, Any]) -> None:
        if event["type"] == "offer_withdrawn":
            audited_when_heard.append(service.audited("conversation.offer_withdrawn"))
        await publish(audience, event)

    monkeypatch.setattr(hub, "publish", recording)
    await service.sign_in("ana")
    offered_at = await service.offered("c-1", await service.queue("c-1"))
    await service.route(offered_at + OFFER_MS)
    assert audited_when_heard == [
        [("system", "c-1", {"agent": "ana", "offered_seconds": 60, "agent_presence": "away"})]]


async def test_an_accepted_conversation_is_never_withdrawn(service, redis_client) -> None:
    ana = await service.sign_in("ana")
    console = await service.open_console(ana)  # open all day: her shift goes on
    queued_at = await service.queue("c-1")
    await service.route(queued_at)
    assert (await ana.post("/api/v1/agent/conversations/c-1/accept")).status == 200
    await service.route(queued_at + 24 * 3600 * 1000)
    assert redis_client.hmget(conversation_key("c-1"), "status", "agent") == [b"active", b"ana"]
    assert redis_client.sismember(ONLINE_AGENTS_KEY, "ana")
    assert redis_client.zcard(QUEUE_KEY) == 0
    assert service.audited("conversation.offer_withdrawn") == []
    assert await service.metric("kefu_handoff_offers_missed_total") == \
        "kefu_handoff_offers_missed_total 0.0"
    await console.close()


@pytest.fixture
async def two_instances(redis_url, tmp_path) -> AsyncIterator[Service]:
    started = await _service(redis_url, tmp_path, instances=2)
    yield started
    await started.close()


RACES = 40


async def _after_turns(turns: int, work: Awaitable[T]) -> T:
    for _ in range(turns):
        await asyncio.sleep(0)  # one turn of the event loop: jitter, not a wait
    return await work


async def test_accept_racing_the_withdrawal_exactly_one_wins(two_instances,
                                                             redis_client) -> None:
    """The agent accepts through one instance while the other's pass finds the offer
    expired, both at once: accepted or withdrawn, never both, never neither."""
    service = two_instances
    ana = await service.sign_in("ana", instance=0)
    # Her console on the other instance, whose passes renew its lease: her shift goes on.
    console = await service.open_console(ana, instance=1)
    outcomes: Dict[str, str] = {}
    for race in range(RACES):
        conversation_id = f"race-{race}"
        offered_at = await service.offered(conversation_id, await service.queue(conversation_id))
        assert redis_client.hget(conversation_key(conversation_id), "agent") == b"ana"
        # The pass starts after 0, 2, 4... turns of the event loop: early ones beat the
        # accept's HTTP round trip, later ones lose to it, some land in between.
        accepted, _ = await asyncio.gather(
            ana.post(f"/api/v1/agent/conversations/{conversation_id}/accept"),
            _after_turns(2 * race, service.route(offered_at + OFFER_MS, instance=1)))
        stored = redis_client.hmget(conversation_key(conversation_id), "status", "agent")
        in_queue = redis_client.zscore(QUEUE_KEY, conversation_id) is not None
        if accepted.status == 200:
            assert stored == [b"active", b"ana"] and not in_queue
            assert redis_client.sismember(ONLINE_AGENTS_KEY, "ana")
            outcomes[conversation_id] = "accepted"
            resolved = await ana.post(f"/api/v1/agent/conversations/{conversation_id}/resolve")
            assert resolved.status == 200
        else:
            # Refused: the record said it was no longer hers (404), or she is away (409).
            assert accepted.status in (404, 409), accepted.status
            assert stored == [b"queued", b""] and in_queue
            assert not redis_client.sismember(ONLINE_AGENTS_KEY, "ana")
            assert not redis_client.sismember(agent_chats_key("ana"), conversation_id)
            outcomes[conversation_id] = "withdrawn"
            left = await service.servers[0].delete(f"/api/v1/handoffs/{conversation_id}",
                                                   headers=SERVICE)
            assert left.status == 200
            await ana.post("/api/v1/agent/presence", {"presence": "online"})
        assert int(redis_client.hget(agent_key("ana"), "active")) == 0
    withdrawn = sorted(c for c, outcome in outcomes.items() if outcome == "withdrawn")
    assert 0 < len(withdrawn) < RACES  # both orders happened
    await console.close()
    # Stopping the instances finishes their passes: then every withdrawal is counted and
    # audited once, by whichever instance made it, and no accepted one is.
    await service.close()
    assert sorted(row[1] for row in service.audited("conversation.offer_withdrawn")) == withdrawn
    counted = sum(server.app[metrics_key].registry.get_sample_value(
        "kefu_handoff_offers_missed_total") or 0
                  for server in service.servers)
    assert counted == len(withdrawn)


# ---------------------------------------------------------------- skill overflow


async def test_a_fraud_case_overflows_to_an_agent_without_the_skill_after_the_wait(
        service, redis_client) -> None:
    await service.sign_in("eve")  # speaks English, no fraud skill
    queued_at = await service.queue("fraud-1", language="en", reason="fraud")
    await service.route(queued_at + OVERFLOW_MS - 1)
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"fraud-1"]

    await service.route(queued_at + OVERFLOW_MS)
    assert redis_client.hmget(conversation_key("fraud-1"), "agent", "overflowed") == [
        b"eve", b"1"]
    eve = await service.sign_in("eve")
    listed = await (await eve.http.get("/api/v1/agent/conversations")).json()
    assert [(c["conversation_id"], c["skill"], c["overflowed"]) for c in listed["mine"]] == [
        ("fraud-1", "fraud", True)]
    detail = await (await eve.http.get("/api/v1/agent/conversations/fraud-1")).json()
    assert detail["overflowed"] is True
    assert await service.metric("kefu_handoff_overflowed_total") == \
        "kefu_handoff_overflowed_total 1.0"


async def test_the_offer_of_an_overflowed_case_says_so(service) -> None:
    eve = await service.sign_in("eve")
    console = await eve.http.ws_connect("/api/v1/agent/live")
    queued_at = await service.queue("fraud-1", language="en", reason="fraud")
    await service.route(queued_at + OVERFLOW_MS)
    offered = await _next_event(console, "offered")
    assert (offered["conversation_id"], offered["overflowed"]) == ("fraud-1", True)
    await console.close()


async def test_a_withdrawn_overflow_offer_waits_in_the_queue_unmarked(service,
                                                                       redis_client) -> None:
    await service.sign_in("eve")  # speaks English, no fraud skill
    queued_at = await service.queue("fraud-1", language="en", reason="fraud")
    await service.route(queued_at + OVERFLOW_MS)
    offered_at = await service.offered("fraud-1", queued_at)
    assert redis_client.hget(conversation_key("fraud-1"), "overflowed") == b"1"
    await service.route(offered_at + OFFER_MS)
    # Queued again and no one's yet: the badge would tell the next agent the wrong thing.
    assert redis_client.hmget(conversation_key("fraud-1"), "status", "overflowed") == [
        b"queued", None]


async def test_a_skilled_agent_with_room_still_comes_first(service, redis_client) -> None:
    bo = await service.sign_in("bo")  # English and fraud, one chat at a time
    await service.sign_in("eve")
    await service.offered("fraud-1", await service.queue("fraud-1", language="en",
                                                         reason="fraud"))
    assert redis_client.hget(conversation_key("fraud-1"), "agent") == b"bo"
    assert redis_client.hget(conversation_key("fraud-1"), "overflowed") is None
    # Bo is now full: a second fraud case waits for him, then overflows to eve.
    assert (await bo.post("/api/v1/agent/conversations/fraud-1/accept")).status == 200
    second_at = await service.queue("fraud-2", language="en", reason="fraud")
    await service.route(second_at + OVERFLOW_MS - 1)
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"fraud-2"]
    await service.route(second_at + OVERFLOW_MS)
    assert redis_client.hmget(conversation_key("fraud-2"), "agent", "overflowed") == [
        b"eve", b"1"]


async def test_overflow_still_needs_the_customer_s_language(service, redis_client) -> None:
    await service.sign_in("eve")  # English only
    await service.sign_in("bo")  # fraud, but English only
    queued_at = await service.queue("fraud-zh", language="zh", reason="fraud")
    await service.route(queued_at + 24 * 3600 * 1000)
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"fraud-zh"]


async def test_an_overflow_time_of_zero_never_overflows(redis_url, tmp_path,
                                                        redis_client) -> None:
    service = await _service(redis_url, tmp_path, overflow_seconds=0)
    try:
        await service.sign_in("eve")
        queued_at = await service.queue("fraud-1", language="en", reason="fraud")
        await service.route(queued_at + 24 * 3600 * 1000)
        assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"fraud-1"]
    finally:
        await service.close()


# ---------------------------------------------------------------- one offer at a time


async def test_an_agent_signing_in_is_offered_one_waiting_customer_at_a_time(
        redis_url, tmp_path, redis_client, monkeypatch) -> None:
    """Room for three, three waiting: one offer; accepting it brings the next at once (the
    service's own passes are an hour apart here: the accept itself starts the pass)."""
    monkeypatch.setattr(dispatcher_module, "PASS_INTERVAL_SECONDS", 3600.0)
    service = await _service(redis_url, tmp_path)
    try:
        save_account(service.sessions, "pw", agent_id="wu", display_name="Wu", languages="zh",
                     skills="general", max_chats=3)
        queued_at = [await service.queue(f"c-{n}") for n in (1, 2, 3)]
        wu = await service.sign_in("wu")
        console = await service.open_console(wu)
        # The sign-in's own pass may have offered it already.
        await service.route(queued_at[-1])
        assert redis_client.smembers(agent_chats_key("wu")) == {b"c-1"}
        assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-2", b"c-3"]

        assert (await wu.post("/api/v1/agent/conversations/c-1/accept")).status == 200
        offered = await _next_event(console, "offered")
        assert (offered["conversation_id"], offered["agent_id"]) == ("c-2", "wu")
        assert redis_client.hmget(conversation_key("c-2"), "status", "agent") == [
            b"assigned", b"wu"]
        assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-3"]
        await console.close()
    finally:
        await service.close()


async def test_a_signed_in_supervisor_is_offered_only_what_no_agent_has_room_for(
        service, redis_client) -> None:
    """The supervisor, signed in first and free, is passed over while an agent who can take
    the customer has room (even with an offer open); a customer no agent can take is theirs."""
    save_account(service.sessions, "pw", agent_id="boss", display_name="Boss",
                 languages="zh,en", skills="general", max_chats=2, role="supervisor")
    save_account(service.sessions, "pw", agent_id="wu", display_name="Wu", languages="zh",
                 skills="general", max_chats=3)
    await service.sign_in("boss")
    await service.sign_in("wu")
    assert redis_client.hget(agent_key("boss"), "role") == b"supervisor"
    await service.queue("zh-1")
    await service.queue("zh-2")
    queued_at = await service.queue("en-1", language="en")
    await service.route(queued_at)
    assert redis_client.hget(conversation_key("zh-1"), "agent") == b"wu"
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"zh-2"]  # waits for wu's accept
    assert redis_client.hget(conversation_key("en-1"), "agent") == b"boss"


# ---------------------------------------------------------------- settings


def test_the_routing_times_are_read_and_checked(monkeypatch, redis_url) -> None:
    monkeypatch.setenv("KEFU_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("KEFU_OFFER_SECONDS", "45")
    monkeypatch.setenv("KEFU_SKILL_OVERFLOW_SECONDS", "0")
    settings = load_settings()
    assert (settings.offer_seconds, settings.skill_overflow_seconds) == (45, 0)
    monkeypatch.setenv("KEFU_OFFER_SECONDS", "a minute")
    with pytest.raises(ValueError, match="KEFU_OFFER_SECONDS must be a whole number"):
        load_settings()
    for wrong, variable in (({"offer_seconds": 0}, "KEFU_OFFER_SECONDS"),
                            ({"skill_overflow_seconds": -1}, "KEFU_SKILL_OVERFLOW_SECONDS")):
        with pytest.raises(ValueError, match=variable):
            create_app(HandoffSettings(redis_url=redis_url, service_token=TOKEN, **wrong))
