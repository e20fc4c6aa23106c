"""Restarting the handoff service mid-conversation loses nothing: the queue, assignments,
sessions and the customer's messages written while it was down (or read and not yet
acknowledged when it stopped) all survive, each message exactly once."""

from __future__ import annotations

import json
import time
from typing import Any, Dict

import pytest
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient, TestServer

from actions.store.database import migrate, session_factory
from bot.broker import stream_fields
from handoff.agents import save_account
from handoff.app import create_app
from handoff.keys import PREFIX, QUEUE_KEY, conversation_key, messages_key
from handoff.relay import CONSUMER_GROUP, EVENT_STREAM
from handoff.routing.scripts import script_source
from handoff.sessions import SESSION_COOKIE
from handoff.settings import HandoffSettings
from handoff.state import dispatcher_key

SERVICE = {"Authorization": "Bearer t"}


def _customer_says(redis_client, conversation_id: str, text: str) -> str:
    """What Rasa's event broker (bot/broker.py) writes for a customer's message."""
    event = {"event": "user", "sender_id": conversation_id, "text": text,
             "timestamp": time.time(), "input_channel": "socketio",
             "parse_data": {"intent": {"name": "inform"}}}
    return redis_client.xadd(EVENT_STREAM, stream_fields(event)).decode()


@pytest.fixture
def settings(redis_url, tmp_path) -> HandoffSettings:
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    save_account(session_factory(database_url), "pw", agent_id="ana", display_name="Ana",
                 languages="zh", skills="general", max_chats=2)
    return HandoffSettings(redis_url=redis_url, service_token="t", database_url=database_url,
                           secure_cookies=False, rasa_url="http://127.0.0.1:9",
                           instance="handoff-1")


async def _next_message(live: ClientWebSocketResponse) -> Dict[str, Any]:
    """The next relayed message; other live events (a routing pass's) may come first."""
    while True:
        event = json.loads((await live.receive(timeout=10)).data)
        if event["type"] == "message":
            return dict(event["message"])


async def _started(settings: HandoffSettings) -> TestClient:
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    return client


async def test_queue_assignments_and_unread_messages_survive_a_restart(settings,
                                                                       redis_client) -> None:
    before = await _started(settings)
    login = await before.post("/api/v1/agent/login", json={"agent_id": "ana", "password": "pw"})
    csrf = (await login.json())["csrf_token"]
    cookie = before.session.cookie_jar.filter_cookies(before.make_url("/"))[SESSION_COOKIE].value
    for conversation_id in ("c-1", "c-2", "c-3"):
        await before.post("/api/v1/handoffs", headers=SERVICE, json={
            "conversation_id": conversation_id, "channel": "socketio", "language": "zh",
            "reason": "customer_request"})
    await before.app[dispatcher_key].route_once()  # c-1 to ana (one open offer at a time)
    await before.post("/api/v1/agent/conversations/c-1/accept", headers={"X-CSRF-Token": csrf})
    # Then c-2 (capacity 2; the accept's own pass may have offered it first); c-3 waits.
    await before.app[dispatcher_key].route_once()
    assert redis_client.hmget(conversation_key("c-2"), "status", "agent") == [b"assigned",
                                                                              b"ana"]
    live = await before.ws_connect("/api/v1/agent/live")
    _customer_says(redis_client, "c-1", "第一条")
    assert (await _next_message(live))["text"] == "第一条"
    await live.close()
    await before.close()

    # While the service is down the customer writes twice; one entry is read by this
    # instance's consumer and stored, but the "crash" comes before its acknowledgement.
    read_not_acked = _customer_says(redis_client, "c-1", "第二条")
    redis_client.xreadgroup(CONSUMER_GROUP, "handoff-1", {EVENT_STREAM: ">"}, count=1)
    relay = redis_client.register_script(script_source("relay"))
    relay(args=[PREFIX, "c-1", read_not_acked,
                json.dumps({"role": "customer", "text": "第二条"}), "c-1", "socketio"])
    _customer_says(redis_client, "c-1", "第三条")

    after = await _started(settings)
    try:
        headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
        live = await after.ws_connect("/api/v1/agent/live", headers=headers)
        assert (await _next_message(live))["text"] == "第三条"
        detail = await after.get("/api/v1/agent/conversations/c-1", headers=headers)
        assert detail.status == 200  # the session survived too
        body = await detail.json()
        assert [m["text"] for m in body["messages"]] == ["第一条", "第二条", "第三条"]
        assert (body["status"], body["agent_id"]) == ("active", "ana")
        assert redis_client.hget(conversation_key("c-2"), "status") == b"assigned"
        assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-3"]
        assert redis_client.llen(messages_key("c-1")) == 3
        pending = redis_client.xpending(EVENT_STREAM, CONSUMER_GROUP)["pending"]
        assert pending == 0
        await live.close()
    finally:
        await after.close()


async def test_a_clicked_button_reaches_the_agent_by_its_title(settings, redis_client) -> None:
    """The customer pressed "继续等候"; the agent reads that under the bot's question and
    its choices, not the button's payload, live and after opening the conversation again."""
    client = await _started(settings)
    try:
        login = await client.post("/api/v1/agent/login",
                                  json={"agent_id": "ana", "password": "pw"})
        csrf = (await login.json())["csrf_token"]
        await client.post("/api/v1/handoffs", headers=SERVICE, json={
            "conversation_id": "c-9", "channel": "socketio", "language": "zh",
            "reason": "customer_request"})
        await client.app[dispatcher_key].route_once()
        await client.post("/api/v1/agent/conversations/c-9/accept",
                          headers={"X-CSRF-Token": csrf})
        live = await client.ws_connect("/api/v1/agent/live")
        redis_client.xadd(EVENT_STREAM, stream_fields({
            "event": "bot", "sender_id": "c-9", "text": "请问您希望稍后回复，还是继续等候？",
            "timestamp": time.time(), "data": {"buttons": [
                {"title": "请回电", "payload": '/inform{"choice": "callback"}'},
                {"title": "继续等候", "payload": '/inform{"choice": "wait"}'}]}}))
        _customer_says(redis_client, "c-9", '/inform{"choice": "wait"}')
        _customer_says(redis_client, "c-9", "/affirm")  # typed by hand: no such button
        said: list = []
        while len(said) < 3:  # other live events (queue changes) may come in between
            event = json.loads((await live.receive(timeout=10)).data)
            if event["type"] == "message":
                said.append(_shown(event["message"]))
        assert said == [("bot", "请问您希望稍后回复，还是继续等候？", ["请回电", "继续等候"]),
                        ("customer", "继续等候", True), ("customer", "/affirm", False)]
        # The console reads the same when it opens the conversation (or reloads).
        detail = await (await client.get("/api/v1/agent/conversations/c-9")).json()
        assert [_shown(m) for m in detail["messages"]] == said
        await live.close()
    finally:
        await client.close()


def _shown(message: dict) -> tuple:
    """(role, text, the choices of a bot line or whether a customer line was a click)."""
    return (message["role"], message["text"],
            message["choices"] if message["role"] == "bot" else message["clicked"])
