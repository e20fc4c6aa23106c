""""还要等多久？" asked while waiting for an agent: the relay hands it to the service (the bot
is paused); asked while a callback or the wait is offered, action_queue_status asks the
service. Real Redis and the real handoff app; the answer reaching the customer through Rasa
is tested in tests/integration/test_handoff_live.py."""

from __future__ import annotations

import time
from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from aiohttp.test_utils import TestClient, TestServer
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from redis.asyncio import Redis

from actions.handoff import ActionHandoff
from actions.queue_status import ActionQueueStatus
from actions.store.database import migrate
from bot.broker import stream_fields
from handoff.app import create_app
from handoff.keys import ON_SHIFT_AGENTS_KEY, conversation_key, redis_key
from handoff.live import LiveHub
from handoff.relay import CustomerRelay
from handoff.routing.enqueue import EnqueueHandoff
from handoff.routing.scripts import RoutingScripts
from handoff.settings import HandoffSettings

TOKEN = "t"


def _handoff(conversation_id: str) -> Dict[str, Any]:
    return {"conversation_id": conversation_id, "channel": "socketio", "language": "zh",
            "reason": "customer_request", "summary": "转人工",
            "transcript": [{"role": "customer", "text": "转人工", "timestamp": 1.0}]}


class RelayUnderTest:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.scripts = RoutingScripts(redis)
        self.asked: List[str] = []
        self.relay = CustomerRelay(redis, self.scripts, LiveHub(redis), "handoff-1",
                                   on_queue_question=self._asked)
        self._entries = 0

    async def _asked(self, conversation_id: str) -> None:
        self.asked.append(conversation_id)

    async def customer_says(self, sender_id: str, text: str, intent: str,
                            entry_id: Optional[str] = None) -> str:
        """One customer message as the event stream carries it; its entry id."""
        self._entries += 1
        entry_id = entry_id or f"{int(time.time() * 1000)}-{self._entries}"
        event = {"event": "user", "sender_id": sender_id, "text": text,
                 "timestamp": time.time() + 1, "input_channel": "socketio",
                 "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}
        fields = {key.encode(): value.encode() for key, value in stream_fields(event).items()}
        await self.relay.handle(entry_id, fields)
        return entry_id


@pytest.fixture
async def relay(redis_url) -> AsyncIterator[RelayUnderTest]:
    redis = Redis.from_url(redis_url)
    yield RelayUnderTest(redis)
    await redis.close()


async def test_a_waiting_customer_s_question_goes_to_the_service(relay) -> None:
    await EnqueueHandoff(relay.scripts).call(_handoff("c-1"))
    entry = await relay.customer_says("c-1", "还要等多久", "queue_status")
    await relay.customer_says("c-1", "我的卡被吞了", "card_swallowed")
    # The stream delivers an entry again after a restart: answered once.
    await relay.customer_says("c-1", "还要等多久", "queue_status", entry_id=entry)
    assert relay.asked == ["c-1"]


async def test_with_an_agent_the_question_is_theirs_to_answer(relay) -> None:
    await EnqueueHandoff(relay.scripts).call(_handoff("c-1"))
    await relay.redis.hset(conversation_key("c-1"), mapping={"status": "active",
                                                             "agent": "ana"})
    await relay.customer_says("c-1", "how long now", "queue_status")
    assert relay.asked == []


async def test_a_conversation_that_is_not_handed_over_is_not_answered(relay) -> None:
    await relay.customer_says("c-9", "还要等多久", "queue_status")
    assert relay.asked == []


# ---------------------------------------------------------------- action_queue_status


@pytest.fixture
async def handoff_service(redis_url, tmp_path, monkeypatch) -> AsyncIterator[TestClient]:
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    settings = HandoffSettings(redis_url=redis_url, service_token=TOKEN,
                               database_url=database_url, rasa_url="http://127.0.0.1:9",
                               agent_hours="00:00-24:00")
    server = TestClient(TestServer(create_app(settings)))
    await server.start_server()
    monkeypatch.setenv("KEFU_HANDOFF_URL", str(server.make_url("")).rstrip("/"))
    monkeypatch.setenv("KEFU_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    yield server
    await server.close()


def _tracker(sender_id: str, intent: str, text: str) -> Tracker:
    return Tracker(sender_id, {"handoff_offer": "callback", "language": "en"},
                   {"text": text, "intent": {"name": intent}, "entities": []},
                   [], False, None, {}, "action_listen")


async def _run(action: Any, tracker: Tracker) -> tuple[List[Dict[str, Any]], List[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_asked_while_a_callback_is_offered_the_place_and_the_choice(
        handoff_service) -> None:
    # Nobody online: the place, no figure, and the callback-or-wait buttons again.
    for conversation_id in ("c-1", "web-1"):
        reply = await handoff_service.post("/api/v1/handoffs", json=_handoff(conversation_id),
                                           headers={"Authorization": f"Bearer {TOKEN}"})
        assert reply.status == 201
    said, events = await _run(ActionQueueStatus(), _tracker("web-1", "queue_status", "am i next"))
    assert [(m["response"], m.get("queue_position")) for m in said] == [
        ("utter_queue_status_offer", 2)]
    assert events == []


async def test_asked_when_no_longer_queued_the_offer_ends(handoff_service) -> None:
    said, events = await _run(ActionQueueStatus(),
                              _tracker("web-2", "queue_status", "how much longer"))
    assert [m["response"] for m in said] == ["utter_queue_status_not_waiting"]
    assert events == [{"event": "slot", "timestamp": None, "name": "handoff_offer",
                       "value": None}]


async def test_with_the_service_down_the_customer_is_told(monkeypatch) -> None:
    monkeypatch.setenv("KEFU_HANDOFF_URL", "http://127.0.0.1:9")
    said, events = await _run(ActionQueueStatus(), _tracker("web-3", "queue_status", "am i next"))
    assert [m["response"] for m in said] == ["utter_handoff_unavailable"]
    assert events == []


async def test_handed_over_with_nobody_online_the_customer_gets_no_figure(
        handoff_service) -> None:
    """An agent on a break keeps the customer waiting (no callback offer), with no figure."""
    await handoff_service.app[redis_key].sadd(ON_SHIFT_AGENTS_KEY, "ana")
    tracker = Tracker("web-4", {"language": "en"},
                      {"text": "talk to a person", "intent": {"name": "human_handoff"},
                       "entities": []}, [], False, None, {}, "action_listen")
    said, events = await _run(ActionHandoff(), tracker)
    assert [(m["response"], m.get("queue_position")) for m in said] == [
        ("utter_handoff_queued_no_estimate", 1)]
    assert [event["event"] for event in events] == ["pause"]
