"""What the bot and the service tell a handed-over customer reaches the agent too, as a
`bot` line with the buttons' titles (the question a click answers), stored for a reload;
the agent's own replies are not repeated. Real Redis, the real relay and routing scripts."""

from __future__ import annotations

import json
import time
from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from bot.broker import stream_fields
from handoff.keys import LIVE_CHANNEL, agent_unread_key, conversation_key, messages_key
from handoff.live import SUPERVISORS, LiveHub, agent_audience
from handoff.relay import CustomerRelay
from handoff.routing.enqueue import EnqueueHandoff
from handoff.routing.join import JoinHandoff
from handoff.routing.scripts import RoutingScripts

QUESTION = "请问您希望稍后回电，还是继续等候？"
BUTTONS = [{"title": "请回电", "payload": '/inform{"choice": "callback"}'},
           {"title": "继续等候", "payload": '/inform{"choice": "wait"}'}]


class RelayUnderTest:
    """The relay fed stream entries as Rasa's broker writes them, and what it published."""

    def __init__(self, redis: Redis, pubsub: PubSub) -> None:
        self.redis = redis
        self.scripts = RoutingScripts(redis)
        self.relay_hub = LiveHub(redis)
        self.relay = CustomerRelay(redis, self.scripts, self.relay_hub, "handoff-1")
        self._pubsub = pubsub
        self._entries = 0

    async def entry(self, event: Dict[str, Any], entry_id: Optional[str] = None) -> str:
        self._entries += 1
        entry_id = entry_id or f"{int(time.time() * 1000)}-{self._entries}"
        fields = {key.encode(): value.encode() for key, value in stream_fields(event).items()}
        await self.relay.handle(entry_id, fields)
        return entry_id

    async def bot_says(self, sender_id: str, text: str, buttons: Optional[List[Any]] = None,
                       metadata: Optional[Dict[str, Any]] = None,
                       at: Optional[float] = None, entry_id: Optional[str] = None) -> str:
        return await self.entry({"event": "bot", "sender_id": sender_id, "text": text,
                                 "timestamp": at or time.time() + 1,
                                 "data": {"buttons": buttons} if buttons else {},
                                 "metadata": metadata or {}}, entry_id)

    async def customer_says(self, sender_id: str, text: str) -> str:
        return await self.entry({"event": "user", "sender_id": sender_id, "text": text,
                                 "timestamp": time.time() + 1, "input_channel": "socketio",
                                 "parse_data": {"intent": {"name": "inform"}}})

    async def published(self) -> List[Dict[str, Any]]:
        """What went to the consoles so far, {audience, event} each: up to a last event of
        the test's own (one channel's messages arrive in order)."""
        await self.relay_hub.publish(["test"], {"type": "end"})
        seen: List[Dict[str, Any]] = []
        for _ in range(1000):
            message = await self._pubsub.get_message(timeout=5)
            if message is None:  # the subscription's own confirmation
                continue
            published = json.loads(message["data"])
            if published["event"]["type"] == "end":
                return seen
            seen.append(published)
        raise AssertionError(f"the test's own event never came: {seen}")

    async def stored(self, conversation_id: str) -> List[Dict[str, Any]]:
        return [json.loads(item)
                for item in await self.redis.lrange(messages_key(conversation_id), 0, -1)]


@pytest.fixture
async def relay(redis_url) -> AsyncIterator[RelayUnderTest]:
    redis = Redis.from_url(redis_url)
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(LIVE_CHANNEL)
    yield RelayUnderTest(redis, pubsub)
    await pubsub.close()
    await redis.close()


async def _handed_over(relay: RelayUnderTest, conversation_id: str,
                       agent: str = "") -> None:
    await EnqueueHandoff(relay.scripts).call({
        "conversation_id": conversation_id, "channel": "socketio", "language": "zh",
        "reason": "customer_request", "customer": {"customer_number": "C-1"}})
    if agent:
        await relay.redis.hset(conversation_key(conversation_id),
                               mapping={"status": "active", "agent": agent})


async def test_the_bot_s_question_reaches_the_agent_and_supervisors_with_its_choices(
        relay) -> None:
    await _handed_over(relay, "c-1", agent="ana")
    entry = await relay.bot_says("c-1", QUESTION + " 卡号 6222020200112233445", BUTTONS)
    await relay.customer_says("c-1", '/inform{"choice": "wait"}')

    published = await relay.published()
    assert [sorted(p["audience"]) for p in published] == [
        sorted([agent_audience("ana"), SUPERVISORS])] * 2
    line = published[0]["event"]
    assert (line["type"], line["conversation_id"]) == ("message", "c-1")
    assert line["message"]["id"] == entry
    assert line["message"]["role"] == "bot"
    assert line["message"]["text"].startswith(QUESTION)
    assert "6222020200112233445" not in line["message"]["text"]
    assert line["message"]["choices"] == ["请回电", "继续等候"]
    assert line["message"]["channel"] == "socketio"
    assert published[1]["event"]["message"]["text"] == "继续等候"
    # Stored in order for the console's reload; only the customer's message is unread news.
    assert [(m["role"], m["text"][:4]) for m in await relay.stored("c-1")] == [
        ("bot", QUESTION[:4]), ("customer", "继续等候")]
    assert await relay.redis.hget(agent_unread_key("ana"), "c-1") == b"1"


async def test_a_click_on_the_first_of_two_messages_with_buttons_reads_as_its_title(
        relay) -> None:
    await _handed_over(relay, "c-1", agent="ana")
    await relay.bot_says("c-1", QUESTION, BUTTONS)
    await relay.bot_says("c-1", "或者选择：",
                         [{"title": "转人工客服", "payload": "/human_handoff"}])
    await relay.customer_says("c-1", '/inform{"choice": "callback"}')
    published = await relay.published()
    assert published[-1]["event"]["message"]["text"] == "请回电"
    assert published[-1]["event"]["message"]["clicked"] is True


async def test_while_nobody_has_it_only_supervisors_hear_the_bot(relay) -> None:
    await _handed_over(relay, "c-1")
    await relay.bot_says("c-1", "您现在排在第 2 位。")
    published = await relay.published()
    assert [(p["audience"], p["event"]["message"]["role"]) for p in published] == [
        ([SUPERVISORS], "bot")]
    assert [m["text"] for m in await relay.stored("c-1")] == ["您现在排在第 2 位。"]


async def test_the_agent_s_own_replies_are_not_repeated_but_notices_in_their_name_are(
        relay) -> None:
    await _handed_over(relay, "c-1", agent="ana")
    await relay.bot_says("c-1", "您好，我马上为您核实。",
                         metadata={"agent_id": "ana", "agent_name": "Ana"})
    await relay.bot_says("c-1", "您好，客服专员Ana已为您接入。",
                         metadata={"kefu_notice": "agent_joined", "agent_id": "ana",
                                   "agent_name": "Ana"})
    assert [m["text"] for m in await relay.stored("c-1")] == ["您好，客服专员Ana已为您接入。"]
    assert len(await relay.published()) == 1


async def test_what_the_bot_said_before_after_or_without_a_handoff_is_not_relayed(
        relay) -> None:
    await relay.bot_says("c-9", "您好，请问有什么可以帮您？")  # never handed over
    await _handed_over(relay, "c-1", agent="ana")
    # Before the handoff: already in the handoff's transcript.
    await relay.bot_says("c-1", "好的，正在为您转接人工客服。", at=time.time() - 60)
    entry = await relay.bot_says("c-1", QUESTION, BUTTONS)
    await relay.bot_says("c-1", QUESTION, BUTTONS, entry_id=entry)  # redelivered
    await relay.redis.hset(conversation_key("c-1"), "status", "resolved")
    await relay.bot_says("c-1", "请您为本次服务打分。")
    assert [m["text"] for m in await relay.stored("c-1")] == [QUESTION]
    assert await relay.stored("c-9") == []
    assert len(await relay.published()) == 1


async def test_the_bot_on_a_joined_channel_shows_that_channel_and_replies_stay_put(
        relay) -> None:
    await _handed_over(relay, "c-1", agent="ana")
    await JoinHandoff(relay.scripts).call("+8613800138001", "C-1", "sms", quiet=True)
    await relay.bot_says("+8613800138001", "您好，您与人工客服的会话仍在进行中。")
    (line,) = await relay.stored("c-1")
    assert (line["role"], line["channel"]) == ("bot", "sms")
    # The bot speaking there is not the customer writing there: replies still go to c-1.
    assert await relay.redis.hget(conversation_key("c-1"), "reply_to") == b"c-1"
