"""One customer across channels, through the real servers: a customer verified on the web
asks for a person; while the agent has them, they text from the phone they verified by
SMS last month. The SMS conversation starts with the customer known and joins the open
handoff: the agent sees one timeline with channel badges and replies by SMS, exactly
once; on resolve the satisfaction question comes where the customer last wrote, and the
web conversation goes back to the bot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from typing import Any, Callable, Dict, List

import pytest
import requests
from sqlalchemy import select

from actions.identity.codes import CheckCode, IssueCode
from actions.store.database import session_factory
from actions.store.models import CsatResponse, utc_now
from handoff.keys import alias_key, conversation_key, customer_handoff_key, messages_key
from handoff.texts import notice
from tests.bilingual import as_text_message, response_text
from tests.integration.test_sms import SmsCustomer, as_parts

CODE = re.compile(r"\d{6}")
ZHANG_PHONE = "13700137003"  # demo customer C0003, 张先生
CHEN_PHONE = "13900139002"  # demo customer C0002, Mr. Chen
WAIT_SECONDS = 30.0


class ConsoleAgent:
    """An agent using the handoff service's API, as the console does."""

    def __init__(self, stack: Any, agent_id: str) -> None:
        self.http, self.base = requests.Session(), stack.handoff_url
        signed_in = self.http.post(f"{self.base}/api/v1/agent/login", timeout=30, json={
            "agent_id": agent_id, "password": stack.agent_passwords[agent_id]})
        signed_in.raise_for_status()
        self.http.headers["X-CSRF-Token"] = signed_in.json()["csrf_token"]
        self.post("/api/v1/agent/presence", {"presence": "online"})

    def post(self, path: str, body: Dict[str, Any] | None = None) -> Dict[str, Any]:
        reply = self.http.post(f"{self.base}{path}", json=body or {}, timeout=30)
        assert reply.status_code in (200, 201), reply.text
        return dict(reply.json())

    def conversation(self, conversation_id: str) -> Dict[str, Any]:
        reply = self.http.get(f"{self.base}/api/v1/agent/conversations/{conversation_id}",
                              timeout=30)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())


def _verified_by_sms_last_month(stack: Any, phone_sender: str,
                                registered: str = ZHANG_PHONE) -> None:
    """The customer proved this phone with a one-time code a month ago (the bot's own
    verification services, with a clock set back)."""
    sessions = session_factory(stack.environment["KEFU_DATABASE_URL"])
    secret = stack.environment["KEFU_OTP_SECRET"]
    last_month = utc_now() - dt.timedelta(days=30)
    issued = IssueCode(sessions, secret, clock=lambda: last_month)("sms", phone_sender,
                                                                    registered)
    checked = CheckCode(sessions, secret, clock=lambda: last_month)("sms", phone_sender,
                                                                     issued.code or "")
    assert checked.status == "verified"


def _wait_for_line(stack: Any, conversation_id: str,
                   wanted: Callable[[Dict[str, Any]], bool]) -> Dict[str, Any]:
    """The first line of the handoff's live transcript that `wanted` accepts, waiting for
    the relay (Redis reports every push to the list)."""
    key = messages_key(conversation_id)
    stack.redis.config_set("notify-keyspace-events", "K$l")
    pushes = stack.redis.pubsub(ignore_subscribe_messages=True)
    pushes.subscribe(f"__keyspace@0__:{key}")
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            for raw in stack.redis.lrange(key, 0, -1):
                line = json.loads(raw)
                if wanted(line):
                    return dict(line)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no such line in {conversation_id}'s transcript")
            pushes.get_message(timeout=max(0.0, deadline - time.monotonic()))
    finally:
        pushes.close()


def _wait_until_exists(stack: Any, key: str) -> None:
    """Until Redis reports (keyspace notification) that `key`, a hash, was written."""
    stack.redis.config_set("notify-keyspace-events", "K$lh")
    writes = stack.redis.pubsub(ignore_subscribe_messages=True)
    writes.subscribe(f"__keyspace@0__:{key}")
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not stack.redis.exists(key):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{key} was not written")
            writes.get_message(timeout=max(0.0, deadline - time.monotonic()))
    finally:
        writes.close()


def _verify_on_the_web(stack: Any, web: str, registered: str, name: str, language: str) -> None:
    opening = {"zh": "我要修改个人资料", "en": "I want to update my profile"}[language]
    stack.say(web, opening)
    stack.say(web, registered)
    code = CODE.search(stack.twilio.sent_to("+86" + registered)[-1].body).group(0)
    assert stack.say(web, code)[0] == response_text("utter_verified", language,
                                                    customer_name=name)
    stack.say(web, '/inform{"choice": "none"}')


def _satisfaction_asked_by_sms(phone: SmsCustomer, language: str) -> None:
    """After the agent resolves: the hand-back and the score question, by SMS."""
    asked = as_parts([response_text("utter_handoff_resolved", language),
                      as_text_message("utter_ask_csat_score", language)])
    phone.twilio.wait_for(phone.phone, phone.read + len(asked))
    assert phone.new_messages() == asked


def _bot_texts(stack: Any, sender: str) -> List[str]:
    return [event.get("text") or "" for event in stack.tracker_in_redis(sender)["events"]
            if event["event"] == "bot"]


@pytest.fixture
def phone(stack) -> Any:
    customer = SmsCustomer(stack)
    yield customer
    customer.close()


def test_a_customer_moves_from_the_web_to_sms_and_keeps_their_agent(stack, phone) -> None:
    stack.reset_handoffs()
    _verified_by_sms_last_month(stack, phone.phone)
    web = f"web-{uuid.uuid4().hex[:10]}"
    _verify_on_the_web(stack, web, ZHANG_PHONE, "张先生", "zh")

    agent = ConsoleAgent(stack, "agent-wang")
    stack.say(web, "我要转人工")
    assert stack.redis.get(customer_handoff_key("C0003")) == web.encode()
    agent.post(f"/api/v1/agent/conversations/{web}/accept")
    _wait_for_line(stack, web, lambda line: line["text"] == notice("agent_joined", "zh",
                                                                    name="王晓"))

    # A new conversation by SMS: known at once, it joins the open handoff; the bot stays
    # quiet and the customer is told their agent continues here.
    phone.send("我换成短信了，卡冻结好了吗？")
    continued = as_parts([notice("continued", "zh")])
    phone.twilio.wait_for(phone.phone, phone.read + len(continued))
    assert phone.new_messages() == continued
    assert stack.redis.hget(alias_key(phone.phone), "conversation") == web.encode()
    assert stack.tracker_via_api(phone.phone)["slots"]["customer_name"] == "张先生"
    texted = _wait_for_line(stack, web, lambda line: line.get("role") == "customer")
    assert (texted["text"], texted["channel"]) == ("我换成短信了，卡冻结好了吗？", "sms")
    # The agent reads what the customer was told by SMS too.
    told = _wait_for_line(stack, web, lambda line: line.get("role") == "bot"
                          and line["channel"] == "sms")
    assert told["text"] == notice("continued", "zh")

    # The agent's reply goes by SMS, once, and not to the web page.
    web_bot_texts = _bot_texts(stack, web)
    agent.post(f"/api/v1/agent/conversations/{web}/messages", {"text": "已为您冻结，请放心。"})
    assert phone.new_messages() == ["已为您冻结，请放心。"]
    assert _bot_texts(stack, web) == web_bot_texts

    # One timeline: the web transcript, the switch, the SMS lines, each with its channel.
    timeline = agent.conversation(web)
    assert timeline["context"]["customer"]["customer_number"] == "C0003"
    # (what the bot and the service told the customer on the web first: queued, then joined)
    assert [(line["role"], line["channel"]) for line in timeline["messages"]] == [
        ("bot", "rest"), ("bot", "rest"), ("system", "sms"), ("customer", "sms"),
        ("bot", "sms"), ("agent", "sms")]
    assert {line["channel"] for line in timeline["transcript"]
            if line["role"] == "customer"} == {"rest"}

    # Resolved: the satisfaction question by SMS, where the customer last wrote; both
    # conversations are the bot's again and the handoff leaves no trace behind.
    agent.post(f"/api/v1/agent/conversations/{web}/resolve")
    _satisfaction_asked_by_sms(phone, "zh")
    # "5" by SMS is "5 非常满意" (the titles number the choices), stored for the agent's work.
    assert phone.turn("5") == as_parts([as_text_message("utter_ask_csat_comment", "zh")])
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        rated = session.execute(select(CsatResponse).where(
            CsatResponse.sender_id == phone.phone)).scalar_one()
        assert (rated.score, rated.served_by, rated.channel) == (5, "agent", "sms")
    assert not stack.redis.exists(alias_key(phone.phone), customer_handoff_key("C0003"))
    assert stack.redis.hget(conversation_key(web), "status") == b"resolved"
    assert stack.say(web, "你好") == [
        response_text("utter_greet_known_customer", "zh", customer_name="张先生")]


def test_a_customer_already_texting_reaches_the_agent_of_their_web_handoff(stack, phone) -> None:
    """In English: the SMS conversation is running (not new) when the handoff begins on the
    web; it joins quietly, and the customer's next text goes to the agent, not the bot."""
    stack.reset_handoffs()
    _verified_by_sms_last_month(stack, phone.phone, CHEN_PHONE)
    assert phone.turn("hello")  # the bot answers: no handoff yet
    web = f"web-{uuid.uuid4().hex[:10]}"
    _verify_on_the_web(stack, web, CHEN_PHONE, "Mr. Chen", "en")
    agent = ConsoleAgent(stack, "agent-wang")
    stack.say(web, "I want to talk to a person")
    agent.post(f"/api/v1/agent/conversations/{web}/accept")
    _wait_until_exists(stack, alias_key(phone.phone))
    _wait_for_line(stack, web, lambda line: line["text"] == notice("agent_joined", "en",
                                                                    name="Wang Xiao"))

    phone.send("Is my card blocked now?")
    continued = as_parts([notice("continued", "en")])
    phone.twilio.wait_for(phone.phone, phone.read + len(continued))
    assert phone.new_messages() == continued  # and no answer from the bot
    texted = _wait_for_line(stack, web, lambda line: line.get("role") == "customer")
    assert (texted["text"], texted["channel"]) == ("Is my card blocked now?", "sms")
    _wait_for_line(stack, web, lambda line: line.get("role") == "bot"
                   and line["channel"] == "sms")
    agent.post(f"/api/v1/agent/conversations/{web}/messages",
               {"text": "Yes, it is blocked. A new card is on its way."})
    assert phone.new_messages() == ["Yes, it is blocked. A new card is on its way."]
    assert [(line["role"], line["channel"]) for line in agent.conversation(web)["messages"]] == [
        ("bot", "rest"), ("bot", "rest"), ("system", "sms"), ("customer", "sms"),
        ("bot", "sms"), ("agent", "sms")]

    agent.post(f"/api/v1/agent/conversations/{web}/resolve")
    _satisfaction_asked_by_sms(phone, "en")
    assert not stack.redis.exists(alias_key(phone.phone), customer_handoff_key("C0002"))


def test_the_bridge_pauses_only_a_running_conversation_and_refuses_bad_calls(stack) -> None:
    service = {"Authorization": f"Bearer {stack.environment['KEFU_SERVICE_TOKEN']}"}
    pause = f"{stack.rasa_url}/webhooks/agent_bridge/pause"
    running = f"bridge-{uuid.uuid4().hex[:8]}"
    stack.say(running, "你好")
    answer = requests.post(pause, json={"conversation_id": running}, headers=service, timeout=30)
    assert answer.status_code == 200 and answer.json()["paused"] is True
    assert stack.say(running, "你好") == []  # paused: the bot stays silent
    # A conversation that has not begun is left alone: its session start must still run.
    unborn = f"bridge-{uuid.uuid4().hex[:8]}"
    answer = requests.post(pause, json={"conversation_id": unborn}, headers=service, timeout=30)
    assert answer.status_code == 200 and answer.json()["paused"] is False
    assert stack.redis.get(f"kefu:tracker:{unborn}") is None
    for body, headers, status in (({"conversation_id": running}, {}, 401),
                                  ({"conversation_id": running},
                                   {"Authorization": "Bearer forged"}, 401),
                                  ({"conversation_id": ""}, service, 400),
                                  ({"conversation_id": "x" * 129}, service, 400),
                                  (["not", "an", "object"], service, 400)):
        refused = requests.post(pause, json=body, headers=headers, timeout=30)
        assert refused.status_code == status and "error" in refused.json()
    assert "agent_bridge.unauthorised" in stack.log_path.read_text(errors="replace")
