"""The handoff service's API, built by its real app factory against a real Redis."""

from __future__ import annotations

import asyncio
import json

import pytest

from handoff.app import create_app
from handoff.keys import QUEUE_KEY, conversation_key
from handoff.settings import HandoffSettings

TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _request(conversation_id: str, language: str = "zh") -> dict:
    return {
        "conversation_id": conversation_id,
        "channel": "rest",
        "language": language,
        "reason": "customer_request",
        "summary": "customer_request: 我要转人工",
        "transcript": [{"role": "customer", "text": "我要转人工", "timestamp": 1.0}],
        "intents": ["human_handoff"],
        "entities": [],
    }


@pytest.fixture
async def client(aiohttp_client, redis_url):
    settings = HandoffSettings(
        redis_url=redis_url, service_token=TOKEN, seconds_per_queue_position=120
    )
    return await aiohttp_client(create_app(settings))


async def test_health_needs_no_token(client) -> None:
    reply = await client.get("/health")
    assert reply.status == 200
    assert await reply.json() == {"status": "ok"}


async def test_queues_handoffs_in_arrival_order(client, redis_client) -> None:
    first = await client.post("/api/v1/handoffs", json=_request("c-1"), headers=AUTH)
    second = await client.post("/api/v1/handoffs", json=_request("c-2", "en"), headers=AUTH)
    assert first.status == 201 and second.status == 201
    first_body, second_body = await first.json(), await second.json()
    assert (first_body["queue_position"], second_body["queue_position"]) == (1, 2)
    # Nobody online who could take it: no figure rather than a made-up one.
    assert (second_body["estimated_wait_seconds"], second_body["estimated_wait_minutes"]) == (
        None, None)
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-1", b"c-2"]
    stored = json.loads(redis_client.hget(conversation_key("c-1"), "request"))
    assert stored["transcript"][0]["text"] == "我要转人工"


async def test_a_repeated_request_keeps_its_place(client, redis_client) -> None:
    first = await (await client.post("/api/v1/handoffs", json=_request("c-1"), headers=AUTH)).json()
    again = await client.post("/api/v1/handoffs", json=_request("c-1"), headers=AUTH)
    assert again.status == 200
    assert (await again.json())["handoff_id"] == first["handoff_id"]
    assert redis_client.zcard(QUEUE_KEY) == 1


async def test_concurrent_requests_for_one_conversation_queue_it_once(client, redis_client) -> None:
    replies = await asyncio.gather(
        *[client.post("/api/v1/handoffs", json=_request("c-9"), headers=AUTH) for _ in range(20)]
    )
    bodies = [await reply.json() for reply in replies]
    assert sorted(reply.status for reply in replies) == [200] * 19 + [201]
    assert {body["handoff_id"] for body in bodies} == {bodies[0]["handoff_id"]}
    assert redis_client.zcard(QUEUE_KEY) == 1


async def test_lists_the_queue(client) -> None:
    angry = {**_request("c-1"), "priority": "high", "reason": "anger",
             "emotion_trajectory": [{"timestamp": 1.0, "name": "angry", "confidence": 0.97}]}
    await client.post("/api/v1/handoffs", json=angry, headers=AUTH)
    reply = await client.get("/api/v1/queue", headers=AUTH)
    waiting = (await reply.json())["waiting"]
    positions = [(entry["conversation_id"], entry["queue_position"]) for entry in waiting]
    assert positions == [("c-1", 1)]
    assert waiting[0]["language"] == "zh"
    assert (waiting[0]["reason"], waiting[0]["priority"]) == ("anger", "high")
    assert waiting[0]["emotion_trajectory"][0]["name"] == "angry"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]
)
async def test_rejects_callers_without_the_service_token(client, redis_client, headers) -> None:
    reply = await client.post("/api/v1/handoffs", json=_request("c-1"), headers=headers)
    assert reply.status == 401
    assert redis_client.zcard(QUEUE_KEY) == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "JSON object"),
        (json.dumps({**_request("c-1"), "conversation_id": ""}).encode(), "conversation_id"),
        (json.dumps({**_request("c-1"), "language": "fr"}).encode(), "language"),
        (json.dumps({**_request("c-1"), "channel": None}).encode(), "channel"),
        (json.dumps({**_request("c-1"), "priority": "vip!"}).encode(), "priority"),
    ],
)
async def test_rejects_bad_requests_and_keeps_the_queue(client, redis_client, body, reason) -> None:
    await client.post("/api/v1/handoffs", json=_request("kept"), headers=AUTH)
    reply = await client.post(
        "/api/v1/handoffs", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert reply.status == 400
    assert reason in (await reply.json())["error"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"kept"]


async def test_rejects_oversized_bodies(client) -> None:
    huge = json.dumps({**_request("c-1"), "summary": "x" * 2_000_000})
    reply = await client.post(
        "/api/v1/handoffs", data=huge, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert reply.status == 413


def test_refuses_to_start_without_a_token(redis_url) -> None:
    with pytest.raises(ValueError, match="KEFU_SERVICE_TOKEN"):
        create_app(HandoffSettings(redis_url=redis_url, service_token=""))


async def test_serves_its_openapi_document_covering_every_route(client) -> None:
    import yaml

    reply = await client.get("/api/v1/openapi.yaml")
    assert reply.status == 200
    document = yaml.safe_load(await reply.text())
    routes = {
        resource.canonical
        for resource in client.app.router.resources()
    }
    assert routes == set(document["paths"])


@pytest.fixture
async def tickets_client(aiohttp_client, redis_url, tmp_path):
    from actions.store.database import migrate
    from stack.processes import free_port

    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    settings = HandoffSettings(
        redis_url=redis_url,
        service_token=TOKEN,
        # Nothing listens here: the customer cannot be told, the resolution must still stand.
        rasa_url=f"http://127.0.0.1:{free_port()}",
        database_url=database_url,
    )
    return await aiohttp_client(create_app(settings)), database_url


def _open_ticket(database_url: str) -> str:
    from actions.store.database import session_factory
    from actions.tickets.open_complaint import OpenComplaint
    from actions.tickets.records import ComplaintDraft

    draft = ComplaintDraft(channel="rest", sender_id="web-1", language="zh", category="fees",
                           description="多扣了年费", desired_outcome="refund",
                           contact_preference="this_channel")
    return OpenComplaint(session_factory(database_url))(draft).number


async def test_an_agent_resolves_a_ticket_once(tickets_client) -> None:
    client, database_url = tickets_client
    number = _open_ticket(database_url)
    body = {"resolution": "已退还年费200元", "agent_id": "agent-7"}
    reply = await client.post(f"/api/v1/tickets/{number}/resolve", json=body, headers=AUTH)
    assert reply.status == 200
    # Answered in their conversation (not reachable here): no text, e-mail or call.
    assert await reply.json() == {"number": number, "status": "resolved",
                                  "customer_notified": False, "with_an_agent": False,
                                  "call_customer": False, "outcome_notice": None}
    again = await client.post(f"/api/v1/tickets/{number}/resolve", json=body, headers=AUTH)
    assert again.status == 409


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/tickets/KF-20260101-00001/resolve", {"resolution": "x", "agent_id": "a"}, 404),
        ("/api/v1/tickets/not-a-ticket/resolve", {"resolution": "x", "agent_id": "a"}, 400),
        ("/api/v1/tickets/KF-20260101-00001/resolve", {"resolution": " ", "agent_id": "a"}, 400),
        ("/api/v1/tickets/KF-20260101-00001/resolve", {"resolution": "x"}, 400),
        ("/api/v1/tickets/KF-20260101-00001/resolve", ["x"], 400),
    ],
)
async def test_resolving_with_bad_input_is_refused(tickets_client, path, body, status) -> None:
    client, _ = tickets_client
    reply = await client.post(path, json=body, headers=AUTH)
    assert reply.status == status
    assert "error" in await reply.json()


async def test_resolving_needs_the_service_token_and_valid_json(tickets_client) -> None:
    client, database_url = tickets_client
    number = _open_ticket(database_url)
    path = f"/api/v1/tickets/{number}/resolve"
    assert (await client.post(path, json={"resolution": "x", "agent_id": "a"})).status == 401
    malformed = await client.post(path, data=b"{not json", headers=AUTH)
    assert malformed.status == 400


async def test_the_kpi_report(tickets_client) -> None:
    client, database_url = tickets_client
    _open_ticket(database_url)
    reply = await client.get("/api/v1/kpi", params={"days": "7"}, headers=AUTH)
    assert reply.status == 200
    report = await reply.json()
    assert report["complaints"] == 1 and report["conversations"] == 0
    assert report["overdue_tickets"] == 0 and report["complaint_rate"] is None
    for bad in ("0", "400", "seven"):
        refused = await client.get("/api/v1/kpi", params={"days": bad}, headers=AUTH)
        assert refused.status == 400


async def test_outside_agent_hours_the_answer_says_so(aiohttp_client, redis_url) -> None:
    closed_all_day = HandoffSettings(redis_url=redis_url, service_token=TOKEN,
                                     agent_hours="00:00-00:00")
    client = await aiohttp_client(create_app(closed_all_day))
    reply = await client.post("/api/v1/handoffs", json=_request("late"), headers=AUTH)
    body = await reply.json()
    assert body["within_agent_hours"] is False
    assert (body["agents_online"], body["agents_on_shift"]) == (0, 0)


async def test_a_waiting_customer_can_leave_the_queue(client, redis_client) -> None:
    await client.post("/api/v1/handoffs", json=_request("c-1"), headers=AUTH)
    left = await client.delete("/api/v1/handoffs/c-1", headers=AUTH)
    assert left.status == 200
    assert redis_client.zcard(QUEUE_KEY) == 0
    assert (await client.delete("/api/v1/handoffs/c-1", headers=AUTH)).status == 409
    assert (await client.delete("/api/v1/handoffs/nobody", headers=AUTH)).status == 404


def _verified(request: dict, customer_number: str, channel: str) -> dict:
    return {**request, "channel": channel, "customer": {"customer_number": customer_number}}


async def test_one_open_handoff_per_customer_whatever_the_channel(client, redis_client) -> None:
    first = await client.post("/api/v1/handoffs", headers=AUTH,
                              json=_verified(_request("web-1"), "C0003", "socketio"))
    assert first.status == 201 and (await first.json())["joined_conversation_id"] is None
    # The same customer asks for a person by SMS: no second place in the queue.
    again = await client.post("/api/v1/handoffs", headers=AUTH,
                              json=_verified(_request("+8613700137003"), "C0003", "sms"))
    body = await again.json()
    assert again.status == 200 and body["joined_conversation_id"] == "web-1"
    assert body["handoff_id"] == (await first.json())["handoff_id"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"web-1"]
    assert redis_client.hget(conversation_key("web-1"), "reply_to") == b"+8613700137003"
    # The agent sees the switch, and what the customer said by SMS to get here.
    shown = [json.loads(line) for line in redis_client.lrange("kefu:handoff:messages:web-1", 0, -1)]
    assert [(line["role"], line["channel"]) for line in shown] == [
        ("system", "sms"), ("customer", "sms")]
    assert shown[1]["text"] == "我要转人工"
    # A new WeChat conversation of the same customer joins at its session start.
    joined = await client.post("/api/v1/handoffs/join", headers=AUTH, json={
        "conversation_id": "wechat:o-1", "customer_number": "C0003", "channel": "wechat"})
    assert await joined.json() == {"joined": True, "joined_conversation_id": "web-1",
                                   "status": "queued", "agent_id": None}
    # Choosing a callback on the web ends it everywhere: nothing stays joined.
    assert (await client.delete("/api/v1/handoffs/web-1", headers=AUTH)).status == 200
    assert not redis_client.exists("kefu:handoff:alias:wechat:o-1",
                                   "kefu:handoff:alias:+8613700137003",
                                   "kefu:handoff:customer:C0003")


@pytest.mark.parametrize("body", [
    {"conversation_id": "x", "customer_number": "C1"},
    {"conversation_id": "", "customer_number": "C1", "channel": "sms"},
    {"conversation_id": "x" * 129, "customer_number": "C1", "channel": "sms"},
    ["not", "an", "object"],
])
async def test_a_bad_join_request_is_refused(client, body) -> None:
    reply = await client.post("/api/v1/handoffs/join", headers=AUTH, json=body)
    assert reply.status == 400 and "error" in await reply.json()


async def test_a_customer_without_an_open_handoff_joins_nothing(client, redis_client) -> None:
    reply = await client.post("/api/v1/handoffs/join", headers=AUTH, json={
        "conversation_id": "+8613800138001", "customer_number": "C0001", "channel": "sms"})
    assert reply.status == 200 and await reply.json() == {"joined": False}
    assert not redis_client.exists("kefu:handoff:alias:+8613800138001")
