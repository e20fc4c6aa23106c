"""Supervisors reassign a conversation an agent holds, to a colleague who serves it or back
to the queue; and the customers of an agent whose shift ended with a lost console go back
to the queue by themselves after KEFU_DISCONNECTED_RETURN_SECONDS. Through the real app
factory, a real Redis and a SQLite file; the routing passes read a clock the test moves by
hand. Rasa is not running here: that customers are told is tested against the real Rasa
server (tests/integration/test_handoff_live.py, tests/browser/test_console.py)."""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, List, Tuple

import pytest

from handoff.app import create_app
from handoff.keys import (
    DISCONNECTED_AGENTS_KEY,
    QUEUE_KEY,
    agent_chats_key,
    agent_key,
    agent_unread_key,
    conversation_key,
)
from handoff.settings import HandoffSettings, load_settings
from tests.unit.test_handoff_offers import TOKEN, Agent, Service, _next_event, _service, _supervisor

GRACE_MS = 90_000
RETURN_MS = 300_000
HOUR_MS = 3_600_000
REASSIGNED = "conversation.reassigned"
TO_AGENT = 'kefu_handoff_reassigned_total{target="agent"}'
TO_QUEUE = 'kefu_handoff_reassigned_total{target="queue"}'
RETURNED = "kefu_handoff_returned_to_queue_total"


@pytest.fixture
async def service(redis_url, tmp_path) -> AsyncIterator[Service]:
    started = await _service(redis_url, tmp_path, console_grace_seconds=GRACE_MS // 1000,
                             disconnected_return_seconds=RETURN_MS // 1000)
    yield started
    await started.close()


def _path(conversation_id: str) -> str:
    return f"/api/v1/supervisor/conversations/{conversation_id}/reassign"


async def _reassign(boss: Agent, conversation_id: str, body: Dict[str, Any]) -> Tuple[int, Any]:
    reply = await boss.post(_path(conversation_id), body)
    return reply.status, await reply.json()


async def _accepted(service: Service, agent: Agent, conversation_id: str, language: str = "zh",
                    reason: str = "customer_request") -> int:
    """Queued, offered to `agent` by a pass and accepted; when it was queued (ms)."""
    queued_at = await service.queue(conversation_id, language=language, reason=reason)
    await service.route(service.clock.now)
    accepted = await agent.post(f"/api/v1/agent/conversations/{conversation_id}/accept")
    assert accepted.status == 200, await accepted.text()
    return queued_at


def _held(redis_client: Any, conversation_id: str) -> List[bytes]:
    return redis_client.hmget(conversation_key(conversation_id), "status", "agent")


async def _overview_row(boss: Agent, agent_id: str) -> Dict[str, Any]:
    overview = await (await boss.http.get("/api/v1/supervisor/overview")).json()
    return dict(next(row for row in overview["agents"] if row["agent_id"] == agent_id))


# ---------------------------------------------------------------- a supervisor reassigns


async def test_a_supervisor_gives_a_disconnected_agent_s_customer_to_a_colleague(
        service, redis_client) -> None:
    boss = await _supervisor(service)
    watching = await service.open_console(boss)
    eve = await service.sign_in("eve")  # English; her console never opens
    signed_in_at = service.clock.now
    await _accepted(service, eve, "c-held", language="en")
    redis_client.hset(agent_unread_key("eve"), "c-held", 2)  # the customer wrote twice since
    await service.route(signed_in_at + GRACE_MS)  # her shift ends; the customer stays hers
    assert (await _overview_row(boss, "eve"))["conversations"] == ["c-held"]
    bo = await service.sign_in("bo")  # English, online with room, console open
    bo_console = await service.open_console(bo)

    status, answer = await _reassign(boss, "c-held", {"agent_id": "bo"})
    assert status == 200, answer
    assert answer == {"conversation_id": "c-held", "outcome": "reassigned", "from": "eve",
                      "agent_id": "bo", "customer_notified": False}  # Rasa is not running
    # Offered to bo, who finds it with the customer's unread messages; eve holds nothing.
    assert _held(redis_client, "c-held") == [b"assigned", b"bo"]
    assert redis_client.smembers(agent_chats_key("eve")) == set()
    assert int(redis_client.hget(agent_key("eve"), "active")) == 0
    listed = await (await bo.http.get("/api/v1/agent/conversations")).json()
    assert [(c["conversation_id"], c["status"], c["unread"]) for c in listed["mine"]] == [
        ("c-held", "assigned", 2)]
    for console in (bo_console, watching):
        heard = await _next_event(console, "reassigned")
        assert heard == {"type": "reassigned", "conversation_id": "c-held", "from": "eve",
                         "agent_id": "bo", "by": "boss"}
    assert service.audited(REASSIGNED) == [("agent:boss", "c-held", {
        "from": "eve", "to": "bo", "was_accepted": True, "customer_notified": False})]
    assert (await service.counted(TO_AGENT), await service.counted(TO_QUEUE)) == (1, 0)
    assert (await _overview_row(boss, "eve"))["conversations"] == []
    assert (await _overview_row(boss, "bo"))["conversations"] == ["c-held"]

    accepted = await bo.post("/api/v1/agent/conversations/c-held/accept")
    assert accepted.status == 200
    assert _held(redis_client, "c-held") == [b"active", b"bo"]
    # Nothing left for the automatic return to take from eve.
    await service.route(signed_in_at + GRACE_MS + RETURN_MS)
    assert _held(redis_client, "c-held") == [b"active", b"bo"]
    assert await service.counted(RETURNED) == 0
    await bo_console.close()
    await watching.close()


async def test_back_to_the_queue_it_keeps_its_place_and_goes_to_the_next_agent(
        service, redis_client) -> None:
    boss = await _supervisor(service)
    ana = await service.sign_in("ana")  # one chat at a time
    ana_console = await service.open_console(ana)
    first_at = await _accepted(service, ana, "c-1")
    place = float(redis_client.hget(conversation_key("c-1"), "score"))  # when first queued
    service.clock.now += 60_000
    await service.queue("c-2")  # waits: ana is full
    await service.route(service.clock.now)
    # On a break that runs long: she keeps the customer, who waits for her.
    await ana.post("/api/v1/agent/presence", {"presence": "away"})

    status, answer = await _reassign(boss, "c-1", {"queue": True})
    assert (status, answer["outcome"], answer["from"], answer["agent_id"]) == (
        200, "queued", "ana", None)
    # Ahead of the one queued after it: same place, same wait.
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-1", b"c-2"]
    assert redis_client.zscore(QUEUE_KEY, "c-1") == place
    assert redis_client.hmget(conversation_key("c-1"), "status", "agent", "enqueued_at") == [
        b"queued", b"", str(first_at).encode()]
    # Ana's console drops it: no longer hers, waiting in a queue she serves.
    heard = await _next_event(ana_console, "reassigned")
    assert (heard["conversation_id"], heard["from"], heard["agent_id"], heard["by"]) == (
        "c-1", "ana", None, "boss")
    listed = await (await ana.http.get("/api/v1/agent/conversations")).json()
    assert (listed["mine"], [c["conversation_id"] for c in listed["queue"]]) == (
        [], ["c-1", "c-2"])
    assert service.audited(REASSIGNED) == [("agent:boss", "c-1", {
        "from": "ana", "to": "queue", "was_accepted": True, "customer_notified": False})]
    assert (await service.counted(TO_AGENT), await service.counted(TO_QUEUE)) == (0, 1)

    # The next agent available gets it, before the one queued after it.
    await service.sign_in("cai")
    await service.route(service.clock.now + 1000)
    assert _held(redis_client, "c-1") == [b"assigned", b"cai"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-2"]
    await ana_console.close()


async def test_an_offer_reassigned_restarts_its_time_and_the_customer_hears_nothing(
        service, redis_client) -> None:
    boss = await _supervisor(service)
    await service.sign_in("ana")
    queued_at = await service.queue("c-1")
    offered_at = await service.offered("c-1", queued_at)
    await service.sign_in("cai")
    service.clock.now = offered_at + 50_000
    status, answer = await _reassign(boss, "c-1", {"agent_id": "cai"})
    assert (status, answer["customer_notified"]) == (200, False)
    assert service.audited(REASSIGNED)[0][2]["was_accepted"] is False
    # Cai has a whole offer time: not withdrawn when ana's would have been.
    await service.route(offered_at + 60_000)
    assert _held(redis_client, "c-1") == [b"assigned", b"cai"]


async def test_reassignments_refused_say_why_and_change_nothing(service, redis_client) -> None:
    boss = await _supervisor(service)
    ana = await service.sign_in("ana")  # zh and en, general, one chat
    await _accepted(service, ana, "c-1")
    bo = await service.sign_in("bo")  # en, general and fraud, one chat
    await _accepted(service, bo, "fraud-1", language="en", reason="fraud")
    await service.sign_in("cai")  # zh, general, one chat
    await service.queue("c-for-cai")
    await service.route(service.clock.now)
    assert _held(redis_client, "c-for-cai") == [b"assigned", b"cai"]
    await service.sign_in("eve")  # en, general, with room
    await service.queue("c-waiting")  # Chinese: nobody who speaks it has room
    await service.route(service.clock.now)

    refused = await ana.post(_path("c-1"), {"queue": True})
    assert (refused.status, await refused.json()) == (403, {"error": "supervisors only"})
    for conversation, body, status, code in (
            ("no-such", {"queue": True}, 404, "no_conversation"),
            ("c-waiting", {"agent_id": "eve"}, 409, "not_held"),
            ("c-1", {"agent_id": "ana"}, 400, "already_theirs"),
            ("c-1", {"agent_id": "nobody"}, 400, "unknown_agent"),
            ("c-1", {"agent_id": "cai"}, 409, "target_at_capacity"),
            ("c-1", {"agent_id": "eve"}, 409, "target_language"),
            ("fraud-1", {"agent_id": "eve"}, 409, "target_skill")):
        got, answer = await _reassign(boss, conversation, body)
        assert (got, answer["code"]) == (status, code), (conversation, body, answer)
        assert answer["error"]
    await (await service.sign_in("cai")).post("/api/v1/agent/presence", {"presence": "away"})
    got, answer = await _reassign(boss, "c-1", {"agent_id": "cai"})
    assert (got, answer["code"]) == (409, "target_not_online")
    for body in ({}, {"agent_id": "eve", "queue": True}, {"queue": "yes"}, {"agent_id": ""},
                 {"agent_id": "x" * 65}):
        got, answer = await _reassign(boss, "c-1", body)
        assert got == 400 and "agent_id" in answer["error"], body
    assert _held(redis_client, "c-1") == [b"active", b"ana"]
    assert _held(redis_client, "fraud-1") == [b"active", b"bo"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-waiting"]

    assert (await ana.post("/api/v1/agent/conversations/c-1/resolve")).status == 200
    got, answer = await _reassign(boss, "c-1", {"queue": True})
    assert (got, answer["code"]) == (409, "not_held")
    assert service.audited(REASSIGNED) == []
    assert (await service.counted(TO_AGENT), await service.counted(TO_QUEUE)) == (0, 0)


# ---------------------------------------------------------------- the automatic return


async def test_a_disconnected_agent_s_customers_go_back_to_the_queue_after_the_wait(
        service, redis_client) -> None:
    boss = await _supervisor(service)
    watching = await service.open_console(boss)
    eve = await service.sign_in("eve")  # English, two chats; her console never opens
    signed_in_at = service.clock.now
    await _accepted(service, eve, "c-held", language="en")
    service.clock.now += 1000
    await service.queue("c-later", language="en")  # offered to eve, withdrawn at shift end
    ended_at = signed_in_at + GRACE_MS
    await service.route(ended_at)
    place = redis_client.hmget(conversation_key("c-held"), "score", "enqueued_at")

    await service.route(ended_at + RETURN_MS - 1)
    assert _held(redis_client, "c-held") == [b"active", b"eve"]
    assert service.audited(REASSIGNED) == []
    assert await service.counted(RETURNED) == 0

    await service.route(ended_at + RETURN_MS)
    # Back at its old place (ahead of the one queued after it), its wait not restarted.
    assert _held(redis_client, "c-held") == [b"queued", b""]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-held", b"c-later"]
    assert redis_client.zscore(QUEUE_KEY, "c-held") == float(place[0])
    assert redis_client.hmget(conversation_key("c-held"), "enqueued_at", "returned_from") == [
        place[1], b"eve"]
    assert redis_client.smembers(agent_chats_key("eve")) == set()
    assert int(redis_client.hget(agent_key("eve"), "active")) == 0
    assert service.audited(REASSIGNED) == [("system", "c-held", {
        "from": "eve", "to": "queue", "reason": "agent_disconnected",
        "console_gone_seconds": (GRACE_MS + RETURN_MS) // 1000})]
    # Counted apart from supervisors' reassignments.
    assert (await service.counted(RETURNED), await service.counted(TO_QUEUE)) == (1, 0)
    heard = await _next_event(watching, "reassigned")
    assert heard == {"type": "reassigned", "conversation_id": "c-held", "from": "eve",
                     "agent_id": None, "by": "system", "reason": "agent_disconnected"}
    row = await _overview_row(boss, "eve")
    assert (row["disconnected"], row["conversations"]) == (True, [])

    # The next agent available gets it first.
    await service.sign_in("bo")  # English, one chat
    await service.route(service.clock.now)
    assert _held(redis_client, "c-held") == [b"assigned", b"bo"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-later"]
    # Once only, whatever the passes after.
    await service.route(ended_at + 2 * RETURN_MS)
    assert len(service.audited(REASSIGNED)) == 1
    assert await service.counted(RETURNED) == 1
    await watching.close()


async def test_an_agent_back_in_time_keeps_their_customers(service, redis_client) -> None:
    eve = await service.sign_in("eve")  # her console never opens
    signed_in_at = service.clock.now
    await _accepted(service, eve, "c-held", language="en")
    ended_at = signed_in_at + GRACE_MS
    await service.route(ended_at)
    assert redis_client.zscore(DISCONNECTED_AGENTS_KEY, "eve") is not None

    service.clock.now = ended_at + RETURN_MS - 1
    assert (await eve.post("/api/v1/agent/presence", {"presence": "online"})).status == 200
    await service.route(ended_at + RETURN_MS)
    assert _held(redis_client, "c-held") == [b"active", b"eve"]
    assert await service.counted(RETURNED) == 0

    # Gone again: the wait starts again from this shift's end.
    second_end = ended_at + RETURN_MS - 1 + GRACE_MS
    await service.route(second_end)
    await service.route(second_end + RETURN_MS - 1)
    assert _held(redis_client, "c-held") == [b"active", b"eve"]
    await service.route(second_end + RETURN_MS)
    assert _held(redis_client, "c-held") == [b"queued", b""]
    assert [row[1] for row in service.audited(REASSIGNED)] == ["c-held"]


async def test_a_return_wait_of_zero_never_returns(redis_url, tmp_path, redis_client) -> None:
    service = await _service(redis_url, tmp_path, console_grace_seconds=GRACE_MS // 1000,
                             disconnected_return_seconds=0)
    try:
        eve = await service.sign_in("eve")
        signed_in_at = service.clock.now
        await _accepted(service, eve, "c-held", language="en")
        await service.route(signed_in_at + GRACE_MS)
        await service.route(signed_in_at + 24 * HOUR_MS)
        assert _held(redis_client, "c-held") == [b"active", b"eve"]
        assert await service.counted(RETURNED) == 0
    finally:
        await service.close()


def test_the_return_wait_is_read_and_checked(monkeypatch, redis_url) -> None:
    monkeypatch.setenv("KEFU_SERVICE_TOKEN", TOKEN)
    assert load_settings().disconnected_return_seconds == 300
    monkeypatch.setenv("KEFU_DISCONNECTED_RETURN_SECONDS", "0")
    assert load_settings().disconnected_return_seconds == 0
    monkeypatch.setenv("KEFU_DISCONNECTED_RETURN_SECONDS", "five minutes")
    with pytest.raises(ValueError, match="KEFU_DISCONNECTED_RETURN_SECONDS must be a whole"):
        load_settings()
    with pytest.raises(ValueError, match="KEFU_DISCONNECTED_RETURN_SECONDS must be 0"):
        create_app(HandoffSettings(redis_url=redis_url, service_token=TOKEN,
                                   disconnected_return_seconds=-1))
