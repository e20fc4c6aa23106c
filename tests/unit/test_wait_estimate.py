"""Expected waits from measured handling times, through the real app factory, a real Redis
and a SQLite file. Routing, accepting and resolving read a clock the test moves by hand, so
handling times of minutes are measured without waiting."""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from aiohttp import ClientSession, ClientWebSocketResponse, CookieJar
from aiohttp.test_utils import TestClient, TestServer

from actions.store.database import migrate, session_factory
from handoff.agents import save_account
from handoff.app import create_app
from handoff.keys import conversation_key, handled_key
from handoff.settings import HandoffSettings, load_settings
from handoff.state import dispatcher_key
from handoff.wait_estimate import customer_minutes
from tests.hand_clock import HandClock

TOKEN = "t"
SERVICE = {"Authorization": f"Bearer {TOKEN}"}
TEAM = {
    "ana": {"languages": "zh", "skills": "general", "max_chats": 1},
    "bo": {"languages": "zh", "skills": "general", "max_chats": 3},
    "eve": {"languages": "en", "skills": "general", "max_chats": 2},
}
SECONDS_PER_CHAT = 120  # the configured figure, until measured
MIN_CHATS = 3
WINDOW_MINUTES = 60
OVERFLOW_SECONDS = 300
MINUTE_MS = 60_000


class Service:
    def __init__(self, server: TestClient, clock: HandClock) -> None:
        self.server = server
        self.clock = clock
        self.browsers: Dict[str, ClientSession] = {}
        self.csrf: Dict[str, str] = {}
        self.consoles: List[ClientWebSocketResponse] = []

    async def sign_in(self, agent_id: str) -> None:
        """Signed in with the console open (while the clock moves by hours, the shift goes
        on only with it)."""
        http = ClientSession(base_url=str(self.server.make_url("")),
                             cookie_jar=CookieJar(unsafe=True))
        reply = await http.post("/api/v1/agent/login",
                                json={"agent_id": agent_id, "password": "pw"})
        assert reply.status == 200, await reply.text()
        self.browsers[agent_id] = http
        self.csrf[agent_id] = (await reply.json())["csrf_token"]
        console = await http.ws_connect("/api/v1/agent/live")
        await console.send_str("ping")
        assert (await console.receive_json(timeout=10))["type"] == "pong"
        self.consoles.append(console)

    async def agent_post(self, agent_id: str, path: str, body: Dict[str, Any]) -> None:
        reply = await self.browsers[agent_id].post(
            f"/api/v1/agent/{path}", json=body, headers={"X-CSRF-Token": self.csrf[agent_id]})
        assert reply.status == 200, await reply.text()

    async def queue(self, conversation_id: str, language: str = "zh",
                    reason: str = "customer_request") -> Dict[str, Any]:
        reply = await self.server.post("/api/v1/handoffs", headers=SERVICE, json={
            "conversation_id": conversation_id, "channel": "rest", "language": language,
            "reason": reason, "summary": "转人工",
            "transcript": [{"role": "customer", "text": "转人工", "timestamp": 1.0}]})
        assert reply.status == 201, await reply.text()
        return dict(await reply.json())

    async def status(self, conversation_id: str) -> Dict[str, Any]:
        reply = await self.server.get(f"/api/v1/handoffs/{conversation_id}", headers=SERVICE)
        assert reply.status == 200, await reply.text()
        return dict(await reply.json())

    async def route(self) -> None:
        await self.server.app[dispatcher_key].route_once()

    async def take_in_turn(self, *offers: tuple[str, str]) -> None:
        """(conversation, agent) pairs: a pass offers each and the agent accepts it; an agent
        has one open offer at a time, so one with room for several takes them in turn."""
        for conversation_id, agent_id in offers:
            await self.route()
            await self.agent_post(agent_id, f"conversations/{conversation_id}/accept", {})

    async def handle(self, agent_id: str, conversation_id: str, minutes: int) -> None:
        """Queue, offer, accept and resolve a conversation that takes `minutes`."""
        await self.queue(conversation_id)
        await self.route()
        await self.agent_post(agent_id, f"conversations/{conversation_id}/accept", {})
        self.clock.now += minutes * MINUTE_MS
        await self.agent_post(agent_id, f"conversations/{conversation_id}/resolve", {})

    async def close(self) -> None:
        for console in self.consoles:
            await console.close()
        for http in self.browsers.values():
            await http.close()
        await self.server.close()


@pytest.fixture
async def service(redis_url, tmp_path) -> AsyncIterator[Service]:
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    for agent_id, fields in TEAM.items():
        save_account(session_factory(database_url), "pw", agent_id=agent_id,
                     display_name=agent_id.title(), **fields)
    settings = HandoffSettings(
        redis_url=redis_url, service_token=TOKEN, database_url=database_url,
        secure_cookies=False, rasa_url="http://127.0.0.1:9",
        seconds_per_queue_position=SECONDS_PER_CHAT, wait_min_chats=MIN_CHATS,
        wait_window_minutes=WINDOW_MINUTES, skill_overflow_seconds=OVERFLOW_SECONDS)
    clock = HandClock()
    server = TestClient(TestServer(create_app(settings, routing_clock=clock)))
    await server.start_server()
    started = Service(server, clock)
    yield started
    await started.close()


def _waits(*answers: Dict[str, Any]) -> List[tuple[int, Optional[int], Optional[int]]]:
    return [(a["queue_position"], a["estimated_wait_seconds"], a["estimated_wait_minutes"])
            for a in answers]


async def test_with_too_few_chats_measured_the_configured_figure_is_used(service) -> None:
    await service.sign_in("ana")  # one chat at a time
    for number in range(MIN_CHATS - 1):  # two chats of ten minutes: too few to go by
        await service.handle("ana", f"done-{number}", 10)
    await service.queue("c-1")
    await service.route()  # c-1 to ana: she is full
    second, third = await service.queue("c-2"), await service.queue("c-3")
    assert _waits(second, third) == [(1, 120, 2), (2, 240, 4)]
    assert _waits(await service.status("c-3")) == [(2, 240, 4)]


async def test_measured_handling_times_replace_the_figure(service, redis_client) -> None:
    await service.sign_in("ana")
    for number, minutes in enumerate((9, 10, 30)):  # the median is 10 minutes
        await service.handle("ana", f"done-{number}", minutes)
    assert len(redis_client.lrange(handled_key("zh", "general"), 0, -1)) == 3
    await service.queue("c-1")
    await service.route()
    waiting = await service.queue("c-2")
    assert _waits(waiting) == [(1, 600, 10)]
    # Another language, measured separately: English still uses the figure.
    await service.sign_in("eve")
    await service.queue("en-1", language="en")
    await service.queue("en-2", language="en")
    await service.take_in_turn(("en-1", "eve"), ("en-2", "eve"))  # two chats at once
    assert _waits(await service.queue("en-3", language="en")) == [(2, 120, 2)]


async def test_measurements_older_than_the_window_are_forgotten(service) -> None:
    await service.sign_in("ana")
    for number in range(MIN_CHATS):
        await service.handle("ana", f"done-{number}", 10)
    await service.queue("c-1")
    await service.route()
    await service.queue("c-2")
    assert _waits(await service.status("c-2")) == [(1, 600, 10)]
    service.clock.now += WINDOW_MINUTES * MINUTE_MS
    assert _waits(await service.status("c-2")) == [(1, 120, 2)]


async def test_an_agent_s_capacity_counts(service) -> None:
    await service.sign_in("bo")  # three chats at once
    for number in range(MIN_CHATS):
        await service.handle("bo", f"done-{number}", 15)
    for number in range(3):
        await service.queue(f"c-{number}")
    await service.take_in_turn(*((f"c-{number}", "bo") for number in range(3)))  # bo is full
    # Three chats per 15 minutes: one place every 5 minutes.
    assert _waits(await service.queue("w-1"), await service.queue("w-2")) == [
        (1, 300, 5), (2, 600, 10)]


async def test_an_agent_with_room_means_about_a_minute_never_zero(service) -> None:
    await service.sign_in("bo")
    assert _waits(await service.queue("c-1")) == [(1, 0, 1)]


async def test_with_no_agent_online_who_could_take_it_there_is_no_figure(service) -> None:
    await service.sign_in("eve")  # English only
    await service.sign_in("ana")
    await service.agent_post("ana", "presence", {"presence": "away"})  # on a break
    queued = await service.queue("c-1")
    assert _waits(queued) == [(1, None, None)]
    assert queued["agents_online"] == 1
    assert (await service.status("c-1"))["estimated_wait_minutes"] is None


async def test_those_ahead_count_only_when_the_same_agents_could_take_them(service) -> None:
    await service.sign_in("ana")
    await service.sign_in("eve")
    for conversation_id in ("zh-0", "en-0", "en-1"):
        await service.queue(conversation_id, language="zh" if "zh" in conversation_id else "en")
    # ana and eve are full.
    await service.take_in_turn(("zh-0", "ana"), ("en-0", "eve"), ("en-1", "eve"))
    english = [await service.queue(f"en-{n}", language="en") for n in (2, 3)]
    chinese = await service.queue("zh-1")
    # Two English customers ahead of zh-1 do not make it wait longer: ana cannot take them.
    assert _waits(*english, chinese) == [(1, 120, 2), (2, 240, 4), (3, 120, 2)]


async def test_a_skill_nobody_online_has_waits_at_least_for_the_overflow(
        service, redis_client) -> None:
    await service.sign_in("eve")  # English, no fraud skill, room for two
    await service.queue("fraud-1", language="en", reason="fraud")
    service.clock.now = int(redis_client.hget(conversation_key("fraud-1"), "enqueued_at"))
    assert _waits(await service.status("fraud-1")) == [(1, OVERFLOW_SECONDS, 5)]
    service.clock.now += 200_000
    assert _waits(await service.status("fraud-1")) == [(1, 100, 2)]


async def test_the_status_of_a_conversation_with_no_handoff_is_404(service) -> None:
    reply = await service.server.get("/api/v1/handoffs/nobody", headers=SERVICE)
    assert reply.status == 404
    needs_token = await service.server.get("/api/v1/handoffs/nobody")
    assert needs_token.status == 401


@pytest.mark.parametrize("seconds, minutes", [
    (0, 1), (1, 1), (60, 1), (61, 2), (599, 10), (600, 10), (601, 15), (1500, 25),
    (3600, 60), (3601, 75), (5400, 90)])
def test_customers_are_told_round_minutes_never_zero(seconds: int, minutes: int) -> None:
    assert customer_minutes(seconds) == minutes


def test_the_wait_settings_are_read_and_checked(monkeypatch) -> None:
    monkeypatch.setenv("KEFU_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("KEFU_WAIT_MIN_CHATS", "8")
    monkeypatch.setenv("KEFU_WAIT_WINDOW_MINUTES", "30")
    settings = load_settings()
    assert (settings.wait_min_chats, settings.wait_window_minutes) == (8, 30)
    monkeypatch.setenv("KEFU_WAIT_MIN_CHATS", "0")
    with pytest.raises(ValueError, match="KEFU_WAIT_MIN_CHATS must be at least 1"):
        load_settings().check()
    monkeypatch.setenv("KEFU_WAIT_MIN_CHATS", "many")
    with pytest.raises(ValueError, match="KEFU_WAIT_MIN_CHATS must be a whole number"):
        load_settings()
