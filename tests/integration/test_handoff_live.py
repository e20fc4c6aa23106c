"""A customer on the web chat (Rasa's socket.io channel) asks for a person in Chinese; an
agent accepts, sees the context, they talk both ways, the agent resolves, and the bot asks
for the satisfaction score and stores it. Everything through the real servers."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

import aiohttp
from sqlalchemy import select

from actions.store.database import session_factory
from actions.store.models import AuditEvent, CsatResponse
from handoff.keys import CONSOLE_LEASES_KEY, DISCONNECTED_AGENTS_KEY
from handoff.texts import notice
from tests.bilingual import response_text
from tools.socketio_client import SocketIOClient

WAIT_SECONDS = 20


class WebCustomer:
    """The rasa-webchat protocol: a session, then user_uttered / bot_uttered events."""

    def __init__(self, rasa_url: str) -> None:
        self.session_id = ""
        self.client = SocketIOClient(rasa_url)

    async def connect(self) -> None:
        """A new conversation: the channel issues its session id."""
        await self.client.connect()
        await self.client.emit("session_request", {"session_id": None})
        self.session_id = str(await self.client.receive("session_confirm"))

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    async def next_texts(self, count: int) -> List[str]:
        return [(await self.client.receive("bot_uttered")).get("text", "")
                for _ in range(count)]


class ConsoleAgent:
    """An agent signed in to the handoff service, listening on the console's WebSocket."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url
        self.csrf = ""
        self.events: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
        self._listener: asyncio.Task[None] | None = None

    async def sign_in(self, agent_id: str, password: str) -> None:
        async with self.http.post(f"{self.base_url}/api/v1/agent/login",
                                  json={"agent_id": agent_id, "password": password}) as reply:
            assert reply.status == 200, await reply.text()
            self.csrf = (await reply.json())["csrf_token"]
        socket = await self.http.ws_connect(f"{self.base_url}/api/v1/agent/live")
        self._listener = asyncio.create_task(self._listen(socket))

    async def _listen(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        async for message in socket:
            await self.events.put(json.loads(message.data))

    async def wait_for(self, kind: str, conversation_id: str) -> Dict[str, Any]:
        while True:
            event = await asyncio.wait_for(self.events.get(), WAIT_SECONDS)
            if event.get("type") == kind and event.get("conversation_id") == conversation_id:
                return event

    async def get(self, path: str) -> Dict[str, Any]:
        async with self.http.get(f"{self.base_url}{path}") as reply:
            assert reply.status == 200, await reply.text()
            return dict(await reply.json())

    async def post(self, path: str, body: Dict[str, Any] | None = None) -> Dict[str, Any]:
        async with self.http.post(f"{self.base_url}{path}", json=body or {},
                                  headers={"X-CSRF-Token": self.csrf}) as reply:
            assert reply.status in (200, 201), await reply.text()
            return dict(await reply.json())

    async def close(self) -> None:
        if self._listener:
            self._listener.cancel()


async def test_a_chinese_customer_is_helped_by_an_agent_and_rates_it(stack) -> None:
    stack.reset_handoffs()
    customer = WebCustomer(stack.rasa_url)
    await customer.connect()
    # unsafe=True: the service is addressed by IP (127.0.0.1), whose cookies aiohttp drops.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        agent = ConsoleAgent(http, stack.handoff_url)
        # agent-wang serves Chinese; the others stay offline, so routing offers it to them.
        await agent.sign_in("agent-wang", stack.agent_passwords["agent-wang"])
        try:
            await _conversation(stack, customer, agent)
        finally:
            await agent.close()
            await customer.client.close()


async def _conversation(stack, customer: WebCustomer, agent: ConsoleAgent) -> None:
    sender = customer.session_id
    await customer.say("我要转人工")
    (queued_text,) = await customer.next_texts(1)
    assert "排" in queued_text or "队" in queued_text, queued_text
    await agent.wait_for("offered", sender)

    await agent.post(f"/api/v1/agent/conversations/{sender}/accept")
    joined = notice("agent_joined", "zh", name="王晓")
    assert await customer.next_texts(1) == [joined]
    # What the service told the customer reaches the agent too, from Rasa's event stream
    # (and the bot's queue message before it, when it was offered to them by then).
    heard: List[Dict[str, Any]] = []
    while not heard or heard[-1]["text"] != joined:
        heard.append((await agent.wait_for("message", sender))["message"])
    assert [(m["role"], m["text"]) for m in heard] in (
        [("bot", joined)], [("bot", queued_text), ("bot", joined)])
    detail = await agent.get(f"/api/v1/agent/conversations/{sender}")
    assert detail["context"]["reason"] == "customer_request"
    assert [line["text"] for line in detail["transcript"] if line["role"] == "customer"] == [
        "我要转人工"]
    assert detail["transcript"][0]["channel"] == "socketio"

    # Customer to agent: relayed from Rasa's event stream, with the customer's card masked.
    await customer.say("我的卡6222020200112233445被多扣了200元")
    relayed = await agent.wait_for("message", sender)
    assert relayed["message"]["role"] == "customer"
    assert "200元" in relayed["message"]["text"]
    assert "6222020200112233445" not in relayed["message"]["text"]

    # Agent to customer: through Rasa's socket.io output channel, recorded in the tracker.
    await agent.post(f"/api/v1/agent/conversations/{sender}/messages",
                     {"text": "您好，我马上为您核实这笔扣款。"})
    assert await customer.next_texts(1) == ["您好，我马上为您核实这笔扣款。"]
    tracker = stack.tracker_via_api(sender)
    agent_lines = [event for event in tracker["events"] if event["event"] == "bot"
                   and (event.get("metadata") or {}).get("agent_id") == "agent-wang"
                   and "kefu_notice" not in event["metadata"]]
    assert [event["text"] for event in agent_lines] == ["您好，我马上为您核实这笔扣款。"]
    # The reply's own event in the stream is not shown again as the bot's: after the reply
    # as sent, the customer's next message is the next the agent hears (in stream order).
    await customer.say("好的")
    assert (await agent.wait_for("message", sender))["message"]["role"] == "agent"
    assert (await agent.wait_for("message", sender))["message"]["role"] == "customer"
    messages = (await agent.get(f"/api/v1/agent/conversations/{sender}"))["messages"]
    assert [m["role"] for m in messages] == ["bot", "bot", "customer", "agent", "customer"]
    assert [m["text"] for m in messages if m["role"] == "bot"] == [queued_text, joined]

    # Resolve: the bot is back and asks for the score, which is stored.
    resolved = await agent.post(f"/api/v1/agent/conversations/{sender}/resolve",
                                {"note": "refund of the double charge requested"})
    assert resolved["bot_resumed"] is True
    assert await customer.next_texts(2) == [response_text("utter_handoff_resolved", "zh"),
                                            response_text("utter_ask_csat_score", "zh")]
    await customer.say("5")
    assert await customer.next_texts(1) == [response_text("utter_ask_csat_comment", "zh")]
    await customer.say("很快就解决了")
    assert await customer.next_texts(1) == [response_text("utter_csat_thanks", "zh")]
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        stored = session.execute(select(CsatResponse.score, CsatResponse.served_by)
                                 .where(CsatResponse.sender_id == sender)).all()
    assert stored == [(5, "agent")]


async def test_an_english_customer_asks_how_long_and_meets_the_agent_by_english_name(
        stack) -> None:
    """Waiting with the bot paused, "how much longer?" is answered by the handoff service:
    the place, and no figure while nobody who could take it is online; once an agent is
    offered the conversation, that one is coming; the agent greets in English by their
    English name."""
    stack.reset_handoffs()
    customer = WebCustomer(stack.rasa_url)
    await customer.connect()
    sender = customer.session_id
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        agent = ConsoleAgent(http, stack.handoff_url)
        try:
            # On a break (on shift, taking no chats), her console listening: the customer waits.
            await agent.sign_in("agent-wang", stack.agent_passwords["agent-wang"])
            await agent.post("/api/v1/agent/presence", {"presence": "away"})
            await customer.say("I want to talk to a person")
            assert await customer.next_texts(1) == [response_text(
                "utter_handoff_queued_no_estimate", "en", queue_position=1)]
            await customer.say("how much longer do I have to wait?")
            assert await customer.next_texts(1) == [
                notice("queue_position_unknown", "en", position=1)]
            tracker = stack.tracker_via_api(sender)
            asked = [event for event in tracker["events"] if event["event"] == "user"][-1]
            assert asked["parse_data"]["intent"]["name"] == "queue_status"

            await agent.post("/api/v1/agent/presence", {"presence": "online"})
            await agent.wait_for("offered", sender)
            await customer.say("am I next?")
            assert await customer.next_texts(1) == [notice("agent_coming", "en")]
            # The agent sees the questions too.
            relayed = await agent.wait_for("message", sender)
            assert relayed["message"]["text"] == "am I next?"

            await agent.post(f"/api/v1/agent/conversations/{sender}/accept")
            assert await customer.next_texts(1) == [
                notice("agent_joined", "en", name="Wang Xiao")]
            await agent.post(f"/api/v1/agent/conversations/{sender}/messages",
                             {"text": "Thank you for waiting. How can I help?"})
            assert await customer.next_texts(1) == ["Thank you for waiting. How can I help?"]
            named = [(event.get("metadata") or {}).get("agent_name")
                     for event in stack.tracker_via_api(sender)["events"]
                     if event["event"] == "bot"
                     and (event.get("metadata") or {}).get("agent_id") == "agent-wang"]
            assert named == ["Wang Xiao", "Wang Xiao"]
            await agent.post(f"/api/v1/agent/conversations/{sender}/resolve", {})
        finally:
            await agent.close()
            await customer.client.close()


async def test_a_customer_whose_agent_lost_her_console_goes_back_to_the_queue_and_is_told(
        stack) -> None:
    """agent-wang accepts an English customer and her console is gone: the service ends her
    shift after the grace, and KEFU_DISCONNECTED_RETURN_SECONDS later (both moved back here)
    gives the customer back to the queue; the customer hears it in English in the web chat."""
    stack.reset_handoffs()
    customer = WebCustomer(stack.rasa_url)
    await customer.connect()
    sender = customer.session_id
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, \
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as wang_http:
        supervisor = ConsoleAgent(http, stack.handoff_url)
        try:
            # Watching, on a break: the customer waits in the queue.
            await supervisor.sign_in("supervisor-chen", stack.agent_passwords["supervisor-chen"])
            await supervisor.post("/api/v1/agent/presence", {"presence": "away"})
            await customer.say("I want to talk to a person")
            assert len(await customer.next_texts(1)) == 1
            # agent-wang signs in without opening the console, and accepts.
            wang = ConsoleAgent(wang_http, stack.handoff_url)
            async with wang_http.post(f"{stack.handoff_url}/api/v1/agent/login", json={
                    "agent_id": "agent-wang",
                    "password": stack.agent_passwords["agent-wang"]}) as reply:
                wang.csrf = (await reply.json())["csrf_token"]
            await wang.post(f"/api/v1/agent/conversations/{sender}/accept")
            assert await customer.next_texts(1) == [
                notice("agent_joined", "en", name="Wang Xiao")]

            stack.redis.zadd(CONSOLE_LEASES_KEY, {"agent-wang": 1})  # the grace has run out
            await _shift_ended(supervisor, "agent-wang")
            stack.redis.zadd(DISCONNECTED_AGENTS_KEY, {"agent-wang": 1})  # and the wait too
            returned = await supervisor.wait_for("reassigned", sender)
            assert (returned["from"], returned["agent_id"], returned["by"]) == (
                "agent-wang", None, "system")
            assert await customer.next_texts(1) == [notice("agent_left", "en")]
            status = await supervisor.get(f"/api/v1/agent/conversations/{sender}")
            assert (status["status"], status["agent_id"]) == ("queued", None)
            with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
                audited = session.execute(select(AuditEvent.actor, AuditEvent.detail).where(
                    AuditEvent.action == "conversation.reassigned",
                    AuditEvent.subject == sender)).all()
            assert [(actor, json.loads(detail)["reason"]) for actor, detail in audited] == [
                ("system", "agent_disconnected")]
        finally:
            await supervisor.close()
            await customer.client.close()


async def _shift_ended(supervisor: ConsoleAgent, agent_id: str) -> None:
    """Until the supervisor hears the service ended `agent_id`'s shift."""
    while True:
        event = await asyncio.wait_for(supervisor.events.get(), WAIT_SECONDS)
        if event.get("type") == "presence" and event.get("agent_id") == agent_id \
                and event.get("reason") == "console_disconnected":
            return
