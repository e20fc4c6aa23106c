"""CustomerRelay: what is said while an agent has (or awaits) the conversation goes from
Rasa's event stream to the agent: the customer's messages, and the bot's and the service's
messages to the customer (the question a click answers, queue notices), not the agent's own.

Read with a consumer group, so each entry is handled by one instance and acknowledged
after it is stored; after a restart the consumer first re-reads its own unacknowledged
entries, and the relay script skips entries already stored, so nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, NamedTuple, Optional, Tuple

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from actions.handoff_context import button_titles
from handoff.keys import PREFIX, alias_key, buttons_key, conversation_key
from handoff.live import SUPERVISORS, LiveHub, agent_audience
from handoff.relayed import bot_message, customer_message, is_agent_reply
from handoff.routing.outcomes import text
from handoff.routing.scripts import RoutingScripts

logger = logging.getLogger(__name__)

EVENT_STREAM = "kefu:events"
CONSUMER_GROUP = "kefu-handoff"
# Short, so that a stop is noticed quickly; an idle read costs Redis next to nothing.
BLOCK_MS = 250
BATCH = 100
# Another instance's unacknowledged entries are taken over after this long.
CLAIM_IDLE_MS = 30_000
# Asked while waiting for an agent ("还要等多久？"): the service answers, as the bot is paused.
QUEUE_QUESTION_INTENT = "queue_status"
WAITING_STATUSES = ("queued", "assigned")
# A button is clicked within minutes of being shown, if at all.
BUTTONS_TTL_SECONDS = 24 * 3600
Entry = Tuple[bytes, Dict[bytes, bytes]]


class Holding(NamedTuple):
    """The conversation holding a sender's handoff, since when, and the sender's channel."""
    conversation_id: str
    since: float
    channel: str


class CustomerRelay:
    def __init__(self, redis: Redis, scripts: RoutingScripts, live: LiveHub, consumer: str,
                 on_relayed: Optional[Callable[[float], None]] = None,
                 on_returned: Optional[Callable[[str, str, str], Awaitable[None]]] = None,
                 on_queue_question: Optional[Callable[[str], Awaitable[None]]] = None,
                 ) -> None:
        self._redis = redis
        self._scripts = scripts
        self._live = live
        self._consumer = consumer
        # Called with the seconds from the customer's message to its delivery.
        self._on_relayed = on_relayed or (lambda seconds: None)
        # Called with (conversation, channel, handoff's conversation) when the customer first
        # writes in a conversation kefu joined to their handoff quietly.
        self._on_returned = on_returned
        # Called with the handoff's conversation when its waiting customer asks how long.
        self._on_queue_question = on_queue_question

    async def ensure_group(self) -> None:
        try:
            # "$": a new group starts with new events; an existing one keeps its place.
            await self._redis.xgroup_create(EVENT_STREAM, CONSUMER_GROUP, id="$", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; Redis outages are logged and retried.

        Stopped by an event, not by cancelling: redis-py 4.6 can swallow a cancellation
        that arrives during a blocking read.
        """
        await self.ensure_group()
        backlog = True
        while not stop.is_set():
            try:
                if backlog:
                    backlog = await self._process(await self._read("0")) > 0
                    continue
                await self._claim_abandoned()
                await self._process(await self._read(">"))
            except RedisError as error:
                logger.error("relay.redis_error error=%s", type(error).__name__)
                await asyncio.sleep(1)
                backlog = True

    async def _read(self, start: str) -> List[Entry]:
        answer = await self._redis.xreadgroup(
            CONSUMER_GROUP, self._consumer, {EVENT_STREAM: start}, count=BATCH,
            block=None if start == "0" else BLOCK_MS)
        return answer[0][1] if answer else []

    async def _claim_abandoned(self) -> None:
        _next, claimed, *_ = await self._redis.xautoclaim(
            EVENT_STREAM, CONSUMER_GROUP, self._consumer, CLAIM_IDLE_MS, count=BATCH)
        await self._process(claimed)

    async def _process(self, entries: List[Entry]) -> int:
        for entry_id, fields in entries:
            await self.handle(text(entry_id), fields)
            await self._redis.xack(EVENT_STREAM, CONSUMER_GROUP, entry_id)
        return len(entries)

    async def handle(self, entry_id: str, fields: Dict[bytes, bytes]) -> None:
        if fields.get(b"event") == b"bot":
            await self._relay_bot(entry_id, text(fields.get(b"sender_id", b"")),
                                  json.loads(fields[b"body"]))
            return
        if fields.get(b"event") != b"user":
            return
        sender_id = text(fields.get(b"sender_id", b""))
        held = await self._handoff_of(sender_id)
        if held is None:
            return
        conversation_id = held.conversation_id
        event: Dict[str, Any] = json.loads(fields[b"body"])
        # The message that led to the handoff (or to the join) is already in its transcript.
        if float(event.get("timestamp") or 0) <= held.since:
            return
        message = customer_message(entry_id, event, await self._button_titles(sender_id))
        if conversation_id != sender_id and self._on_returned is not None and \
                await self._redis.hdel(alias_key(sender_id), "quiet"):
            await self._on_returned(sender_id, message["channel"], conversation_id)
        outcome, agent, status = await self._scripts.relay(
            args=[PREFIX, conversation_id, entry_id, json.dumps(message, ensure_ascii=False),
                  sender_id, message["channel"]])
        if text(outcome) != "relayed":
            return
        if message["intent"] == QUEUE_QUESTION_INTENT and text(status) in WAITING_STATUSES \
                and self._on_queue_question is not None:
            await self._on_queue_question(conversation_id)
        await self._publish(conversation_id, text(agent), message)
        self._on_relayed(max(0.0, time.time() - float(event.get("timestamp") or time.time())))

    async def _relay_bot(self, entry_id: str, sender_id: str, event: Dict[str, Any]) -> None:
        """What the bot or the service told a handed-over customer, for the agent to read
        beside the customer's answer; the agent's own replies are stored when sent."""
        titles = await self._remember_buttons(sender_id, event)
        if is_agent_reply(event) or not (event.get("text") or titles):
            return
        held = await self._handoff_of(sender_id)
        if held is None or float(event.get("timestamp") or 0) <= held.since:
            return
        message = bot_message(entry_id, event, list(titles.values()), held.channel)
        outcome, agent, _status = await self._scripts.relay(
            args=[PREFIX, held.conversation_id, entry_id,
                  json.dumps(message, ensure_ascii=False), sender_id, held.channel, "bot"])
        if text(outcome) == "relayed":
            await self._publish(held.conversation_id, text(agent), message)

    async def _publish(self, conversation_id: str, agent: str, message: Dict[str, Any]) -> None:
        audience = [agent_audience(agent), SUPERVISORS] if agent else [SUPERVISORS]
        await self._live.publish(audience, {"type": "message", "conversation_id": conversation_id,
                                            "message": message})

    async def _remember_buttons(self, sender_id: str, event: Dict[str, Any]) -> Dict[str, str]:
        """A clicked button reaches the bot as its payload; the agent is to read its title.
        The bot message's buttons, title by payload."""
        titles = button_titles(event)
        if titles:
            # Added to those already shown: a turn of two messages with buttons keeps both.
            shown = {**await self._button_titles(sender_id), **titles}
            await self._redis.set(buttons_key(sender_id), json.dumps(shown, ensure_ascii=False),
                                  ex=BUTTONS_TTL_SECONDS)
        return titles

    async def _button_titles(self, sender_id: str) -> Dict[str, str]:
        stored = await self._redis.get(buttons_key(sender_id))
        return dict(json.loads(stored)) if stored else {}

    async def _handoff_of(self, sender_id: str) -> Optional[Holding]:
        """The conversation holding this sender's handoff: the sender's own, or the one it
        joined from another channel."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hmget(alias_key(sender_id), "conversation", "joined_at", "channel")
            pipe.hmget(conversation_key(sender_id), "created_at", "channel")
            (holder, joined_at, joined_on), (created_at, channel) = await pipe.execute()
        if holder is not None:
            return Holding(text(holder), float(joined_at), text(joined_on or b"unknown"))
        if created_at is None:
            return None
        return Holding(sender_id, float(created_at), text(channel or b"unknown"))
