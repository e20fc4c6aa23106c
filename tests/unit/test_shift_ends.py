"""An agent's shift ends when their console has been gone for the grace period: offers go
back to the queue and on to someone else, accepted conversations stay theirs, and wait
estimates and the callback offer count them out. Through the real app factory, a real
Redis and a SQLite file; the routing passes read a clock the test moves by hand (the
service's own passes every 2 s too), and each test runs the pass it needs itself."""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp import ClientWebSocketResponse
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from handoff.app import create_app
from handoff.keys import (
    CONSOLE_LEASES_KEY,
    ON_SHIFT_AGENTS_KEY,
    ONLINE_AGENTS_KEY,
    agent_chats_key,
    agent_key,
    conversation_key,
)
from handoff.settings import HandoffSettings, load_settings
from handoff.state import metrics_key
from tests.unit.test_handoff_offers import (
    SERVICE,
    TOKEN,
    Agent,
    Service,
    _next_event,
    _service,
    _supervisor,
)

GRACE_MS = 90_000
HOUR_MS = 3_600_000
ENDED = "kefu_handoff_shifts_ended_total"


@pytest.fixture
async def service(redis_url, tmp_path) -> AsyncIterator[Service]:
    # Agents' hours all day: the callback offer must not depend on when the test runs.
    started = await _service(redis_url, tmp_path, console_grace_seconds=GRACE_MS // 1000,
                             agent_hours="00:00-24:00")
    yield started
    await started.close()


@pytest.fixture
async def two_instances(redis_url, tmp_path) -> AsyncIterator[Service]:
    started = await _service(redis_url, tmp_path, instances=2,
                             console_grace_seconds=GRACE_MS // 1000)
    yield started
    await started.close()


def _on_shift(redis_client: Any, agent_id: str) -> bool:
    return bool(redis_client.sismember(ON_SHIFT_AGENTS_KEY, agent_id))


def _presence_rows(service: Service, agent_id: str) -> List[tuple[str, Dict[str, Any]]]:
    return [(actor, detail) for actor, subject, detail in service.audited("agent.presence")
            if subject == agent_id]


async def _shift_ended(socket: ClientWebSocketResponse) -> Dict[str, Any]:
    """The next `presence` event of a shift the service ended (sign-ins come as well)."""
    while True:
        event = await _next_event(socket, "presence")
        if "reason" in event:
            return event


async def _presence(agent: Agent) -> str:
    me = await (await agent.http.get("/api/v1/agent/me")).json()
    return str(me["presence"])


async def test_without_a_console_the_shift_ends_after_the_grace(service, redis_client) -> None:
    boss = await _supervisor(service)
    watching = await service.open_console(boss)
    ana = await service.sign_in("ana")  # and never opens the console
    signed_in_at = service.clock.now

    await service.route(signed_in_at + GRACE_MS - 1)
    assert _on_shift(redis_client, "ana") and redis_client.sismember(ONLINE_AGENTS_KEY, "ana")
    assert await service.counted(ENDED) == 0

    await service.route(signed_in_at + GRACE_MS)
    assert not _on_shift(redis_client, "ana")
    assert not redis_client.sismember(ONLINE_AGENTS_KEY, "ana")
    assert await _presence(ana) == "offline"
    # Audited as the agent's own presence change is, by the system.
    assert _presence_rows(service, "ana") == [("system", {
        "presence": "offline", "reason": "console_disconnected", "console_gone_seconds": 90,
        "requeued": [], "kept": []})]
    assert await service.counted(ENDED) == 1
    heard = await _shift_ended(watching)
    assert (heard["agent_id"], heard["presence"], heard["reason"]) == (
        "ana", "offline", "console_disconnected")
    # The supervisor watches with the console open: still on shift.
    assert _on_shift(redis_client, "boss")
    await watching.close()


async def test_a_console_reopened_within_the_grace_keeps_the_shift(service,
                                                                   redis_client) -> None:
    ana = await service.sign_in("ana")
    console = await service.open_console(ana)
    reloaded_at = service.clock.now + HOUR_MS
    await service.route(reloaded_at)  # open for an hour: each pass renews it
    await console.close()  # a reload, or the network dropped...

    await service.route(reloaded_at + GRACE_MS - 1)
    assert _on_shift(redis_client, "ana")
    console = await service.open_console(ana)  # ...and back within the grace
    await service.route(reloaded_at + GRACE_MS)
    assert _on_shift(redis_client, "ana") and redis_client.sismember(ONLINE_AGENTS_KEY, "ana")
    assert await service.counted(ENDED) == 0

    # Closed for good: the grace counts from the last time the console was heard of.
    last_heard = reloaded_at + 2 * HOUR_MS
    await service.route(last_heard)
    await console.close()
    await service.route(last_heard + GRACE_MS - 1)
    assert _on_shift(redis_client, "ana")
    await service.route(last_heard + GRACE_MS)
    assert not _on_shift(redis_client, "ana")
    assert _presence_rows(service, "ana")[0][1]["console_gone_seconds"] == 90
    assert await service.counted(ENDED) == 1


async def test_a_console_on_another_instance_keeps_the_shift(two_instances,
                                                             redis_client) -> None:
    service = two_instances
    ana = await service.sign_in("ana", instance=0)
    opened_at = service.clock.now = service.clock.now + HOUR_MS
    console = await service.open_console(ana, instance=1)  # renewed on connecting
    await service.route(opened_at + GRACE_MS - 1, instance=0)
    assert _on_shift(redis_client, "ana")
    later = opened_at + HOUR_MS
    await service.route(later, instance=1)  # the instance holding it renews it on each pass
    await service.route(later + GRACE_MS - 1, instance=0)
    assert _on_shift(redis_client, "ana")

    await console.close()
    # Instance 1's own passes may have renewed it up to the last moment the clock showed.
    gone_for_good = later + 2 * GRACE_MS - 1
    await service.route(gone_for_good, instance=0)
    await service.route(gone_for_good, instance=1)
    assert not _on_shift(redis_client, "ana")
    assert [actor for actor, _ in _presence_rows(service, "ana")] == ["system"]  # once
    # Stopping both finishes their passes: then it is counted once, by the one that ended it.
    await service.close()
    assert sum(server.app[metrics_key].registry.get_sample_value(ENDED)
               for server in service.servers) == 1


async def test_the_offer_goes_to_another_agent_and_accepted_chats_stay(service,
                                                                       redis_client) -> None:
    boss = await _supervisor(service)
    watching = await service.open_console(boss)
    eve = await service.sign_in("eve")  # English, two chats; her console never opens
    signed_in_at = service.clock.now
    await service.queue("c-held", language="en")
    await service.route(signed_in_at)
    assert (await eve.post("/api/v1/agent/conversations/c-held/accept")).status == 200
    # Offered a little before the grace ends, so that the offer itself has not timed out.
    service.clock.now = signed_in_at + GRACE_MS - 30_000
    await service.queue("c-offered", language="en")
    place = redis_client.hget(conversation_key("c-offered"), "score")  # its place when queued
    await service.route(service.clock.now)
    assert redis_client.hget(conversation_key("c-offered"), "agent") == b"eve"
    bo = await service.sign_in("bo")  # English too, with the console open
    bo_console = await service.open_console(bo)

    await service.route(signed_in_at + GRACE_MS)
    # The offer went back to the queue at its place and, in the same pass, to bo.
    assert redis_client.hmget(conversation_key("c-offered"), "status", "agent",
                              "withdrawn_from", "score") == [b"assigned", b"bo", b"eve", place]
    offered = await _next_event(bo_console, "offered")
    assert offered["conversation_id"] == "c-offered"
    # The customer eve had accepted is still hers, waiting for her.
    assert redis_client.hmget(conversation_key("c-held"), "status", "agent") == [
        b"active", b"eve"]
    assert redis_client.smembers(agent_chats_key("eve")) == {b"c-held"}
    assert int(redis_client.hget(agent_key("eve"), "active")) == 1
    assert _presence_rows(service, "eve") == [("system", {
        "presence": "offline", "reason": "console_disconnected", "console_gone_seconds": 90,
        "requeued": ["c-offered"], "kept": ["c-held"]})]
    # Not a missed offer: she was not there to miss it.
    assert service.audited("conversation.offer_withdrawn") == []
    heard = await _shift_ended(watching)
    assert (heard["agent_id"], heard["requeued"], heard["kept"]) == (
        "eve", ["c-offered"], ["c-held"])
    overview = await (await boss.http.get("/api/v1/supervisor/overview")).json()
    row = next(agent for agent in overview["agents"] if agent["agent_id"] == "eve")
    assert (row["presence"], row["disconnected"], row["conversations"]) == (
        "offline", True, ["c-held"])

    # Back at her console, she sets herself online and has her customer again.
    assert (await eve.post("/api/v1/agent/presence", {"presence": "online"})).status == 200
    listed = await (await eve.http.get("/api/v1/agent/conversations")).json()
    assert [c["conversation_id"] for c in listed["mine"]] == ["c-held"]
    overview = await (await boss.http.get("/api/v1/supervisor/overview")).json()
    row = next(agent for agent in overview["agents"] if agent["agent_id"] == "eve")
    assert (row["presence"], row["disconnected"], row["active"]) == ("online", False, 1)
    await bo_console.close()
    await watching.close()


async def test_with_the_only_agent_gone_customers_get_no_estimate_and_a_callback(
        service, redis_client, monkeypatch) -> None:
    """The supervisor closed the tab without signing out: within the grace the customer is
    still told a wait; after it, nobody is on shift and a callback is offered."""
    boss = await _supervisor(service)  # away (on a break): on shift, takes no chats
    await service.sign_in("ana")
    signed_in_at = service.clock.now
    waiting = await (await service.servers[0].post("/api/v1/handoffs", headers=SERVICE,
                                                   json=_handoff("c-1"))).json()
    assert (waiting["agents_on_shift"], waiting["agents_online"]) == (2, 1)
    assert waiting["estimated_wait_seconds"] is not None
    await service.route(signed_in_at)
    assert redis_client.hget(conversation_key("c-1"), "agent") == b"ana"

    await service.route(signed_in_at + GRACE_MS)
    assert not _on_shift(redis_client, "ana") and not _on_shift(redis_client, "boss")
    status = await (await service.servers[0].get("/api/v1/handoffs/c-1",
                                                 headers=SERVICE)).json()
    assert (status["status"], status["queue_position"], status["agents_online"],
            status["estimated_wait_seconds"]) == ("queued", 1, 0, None)
    assert (await _presence(boss)) == "offline"

    # A new customer asking for a person: action_handoff hears nobody is on shift.
    monkeypatch.setenv("KEFU_HANDOFF_URL", str(service.servers[0].make_url("")).rstrip("/"))
    monkeypatch.setenv("KEFU_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("KEFU_DATABASE_URL", service.database_url)
    tracker = Tracker("web-2", {"language": "en"},
                      {"text": "talk to a person", "intent": {"name": "human_handoff"},
                       "entities": []}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, tracker, {})
    assert [message["response"] for message in dispatcher.messages] == [
        "utter_handoff_no_agents"]
    assert events == [SlotSet("handoff_offer", "callback")]


async def test_back_on_shift_the_grace_starts_again(service, redis_client) -> None:
    """Going offline or signing out leaves the old lease behind: it must not end the next
    shift at once."""
    ana = await service.sign_in("ana")
    assert (await ana.post("/api/v1/agent/presence", {"presence": "offline"})).status == 200
    service.clock.now += HOUR_MS
    assert (await ana.post("/api/v1/agent/presence", {"presence": "online"})).status == 200
    await service.route(service.clock.now)
    assert _on_shift(redis_client, "ana")

    assert (await ana.post("/api/v1/agent/logout")).status == 200
    service.clock.now += HOUR_MS
    await service.sign_in("ana")
    await service.route(service.clock.now)
    assert _on_shift(redis_client, "ana")


async def test_a_shift_without_a_lease_gets_one_grace(service, redis_client) -> None:
    """Agents on shift when this version starts have no lease yet: one grace, then off."""
    await service.sign_in("ana")
    redis_client.zrem(CONSOLE_LEASES_KEY, "ana")
    first_pass = service.clock.now + HOUR_MS
    await service.route(first_pass)
    assert _on_shift(redis_client, "ana")
    await service.route(first_pass + GRACE_MS)
    assert not _on_shift(redis_client, "ana")


def test_the_grace_is_read_and_checked(monkeypatch, redis_url) -> None:
    monkeypatch.setenv("KEFU_SERVICE_TOKEN", TOKEN)
    assert load_settings().console_grace_seconds == 90
    monkeypatch.setenv("KEFU_CONSOLE_GRACE_SECONDS", "60")
    assert load_settings().console_grace_seconds == 60
    monkeypatch.setenv("KEFU_CONSOLE_GRACE_SECONDS", "a minute")
    with pytest.raises(ValueError, match="KEFU_CONSOLE_GRACE_SECONDS must be a whole number"):
        load_settings()
    with pytest.raises(ValueError, match="KEFU_CONSOLE_GRACE_SECONDS must be at least 1"):
        create_app(HandoffSettings(redis_url=redis_url, service_token=TOKEN,
                                   console_grace_seconds=0))


def _handoff(conversation_id: str) -> Dict[str, Any]:
    return {"conversation_id": conversation_id, "channel": "rest", "language": "zh",
            "reason": "customer_request", "summary": "转人工",
            "transcript": [{"role": "customer", "text": "转人工", "timestamp": 1.0}]}
