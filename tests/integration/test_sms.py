"""Customers by SMS through the real servers: the fake Twilio posts signed webhooks to Rasa as
Twilio would and records what kefu sends back through the Messages API.

A turn is over when Redis reports (keyspace notification) the save of a conversation that holds
the message: Rasa saves it after the output channel has sent every reply. Keyword replies
(STOP/START/HELP) do not reach the bot; they are waited for at the fake Twilio.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from dataclasses import asdict
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import redis.asyncio as aioredis
import requests
from sqlalchemy import select

from actions.store.database import session_factory
from actions.store.models import Ticket
from actions.ticket_status import ticket_line
from actions.tickets.records import TicketView
from actions.topic_menus import menu_buttons, topic_of
from bot.channels.inbox import Inbox
from bot.channels.sms import (
    OPTED_IN_TEXT,
    OPTED_OUT_TEXT,
    SEEN_KEY,
    SEEN_TTL_SECONDS,
    InboundSms,
    numbered_choices,
)
from bot.channels.sms_segments import split_sms
from bot.pii import mask_pii
from handoff.keys import QUEUE_KEY, conversation_key
from handoff.outcome.texts import outcome_sms
from tests.bilingual import as_text_message, response_text

WAIT_SECONDS = 30.0
TICKET_NUMBER = re.compile(r"KF-\d{8}-\d{5}")


def as_parts(texts: List[str]) -> List[str]:
    return [part for text in texts for part in split_sms(text)]


class SmsCustomer:
    """A phone that texts kefu through the fake Twilio and reads what comes back."""

    def __init__(self, stack: Any, phone: Optional[str] = None) -> None:
        self.stack, self.twilio = stack, stack.twilio
        self.phone = phone or f"+1555{secrets.randbelow(10**7):07d}"
        self.read = 0
        # Rasa saves the conversation after its output channel has sent every reply: a turn
        # is over when Redis reports the save of a tracker that holds the message.
        stack.redis.config_set("notify-keyspace-events", "K$")
        self.saves = stack.redis.pubsub(ignore_subscribe_messages=True)
        self.saves.subscribe(f"__keyspace@0__:kefu:tracker:{self.phone}")

    def close(self) -> None:
        self.saves.close()

    def post(self, text: str, message_sid: Optional[str] = None,
             signature: Optional[str] = None, signed_url: Optional[str] = None,
             ) -> requests.Response:
        fields = self.twilio.incoming_fields(self.phone, text, message_sid=message_sid)
        return self.twilio.post_webhook(
            self.stack.sms_webhook_url, fields, signature=signature,
            signed_url=signed_url or self.stack.environment["KEFU_SMS_WEBHOOK_URL"])

    def send(self, text: str, message_sid: Optional[str] = None) -> str:
        """Post a signed text; its MessageSid."""
        sid = message_sid or "SM" + secrets.token_hex(16)
        reply = self.post(text, message_sid=sid)
        assert reply.status_code == 200, reply.text
        assert reply.text == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
        assert reply.headers["Content-Type"].startswith("text/xml")
        return sid

    def wait_until_handled(self, message_sid: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not self._stored(message_sid):
            if time.monotonic() > deadline:
                raise TimeoutError(f"message {message_sid} of {self.phone} was not handled")
            # Blocks until Redis reports a change to the tracker (or the deadline passes).
            self.saves.get_message(timeout=max(0.0, deadline - time.monotonic()))

    def _stored(self, message_sid: str) -> bool:
        stored = self.stack.redis.get(f"kefu:tracker:{self.phone}")
        return stored is not None and any(
            event.get("message_id") == message_sid for event in json.loads(stored)["events"])

    def turn(self, text: str) -> List[str]:
        """Send a text the bot handles; the SMS bodies kefu sent in answer."""
        self.wait_until_handled(self.send(text))
        return self.new_messages()

    def say(self, text: str, *replies: str) -> None:
        """Send a text; the answer must be exactly these replies, cut into SMS parts."""
        assert self.turn(text) == as_parts(list(replies))

    def keyword(self, text: str, *replies: str) -> None:
        """Send a keyword the channel answers itself (not the bot) and wait for the answer."""
        self.send(text)
        self.twilio.wait_for(self.phone, self.read + len(as_parts(list(replies))))
        assert self.new_messages() == as_parts(list(replies))

    def new_messages(self) -> List[str]:
        bodies = [message.body for message in self.twilio.sent_to(self.phone)][self.read:]
        self.read += len(bodies)
        return bodies

    def events(self) -> List[Dict[str, Any]]:
        return [event for event in self.stack.tracker_in_redis(self.phone)["events"]
                if event["event"] in ("user", "bot")]


@pytest.fixture
def customer(stack) -> Iterator[SmsCustomer]:
    phone = SmsCustomer(stack)
    yield phone
    phone.close()


def _rendered_bot_messages_after(customer: SmsCustomer, text: str) -> List[str]:
    """What the bot said after the customer's last message `text`, as the SMS channel
    renders it (the tracker's bot events with their buttons)."""
    events = customer.events()
    start = max(i for i, event in enumerate(events)
                if event["event"] == "user" and event["text"] == text)
    return [numbered_choices(event["text"], (event.get("data") or {}).get("buttons") or [])
            for event in events[start + 1:]]


def _queued_pattern(language: str) -> re.Pattern[str]:
    template = response_text("utter_handoff_queued_no_estimate", language, queue_position="@")
    return re.compile(re.escape(template).replace("@", r"(\d+)"))


def _service_headers(stack: Any) -> Dict[str, str]:
    return {"Authorization": f"Bearer {stack.environment['KEFU_SERVICE_TOKEN']}"}


def test_a_chinese_complaint_by_sms_with_numbered_choices_and_the_resolution_notice(
        stack, customer) -> None:
    customer.say("你好", response_text("utter_greet", "zh"))
    customer.say("我要投诉，上周五ATM吞了我的卡，还扣了500元",
                  response_text("utter_complaint_start", "zh"),
                  response_text("utter_ask_complaint_card_last_four", "zh"))
    customer.say("尾号1234", as_text_message("utter_ask_complaint_outcome", "zh"))
    # "1" is the first choice: the bot is given the button's payload.
    customer.say("1", as_text_message("utter_ask_complaint_contact", "zh"))
    user_texts = [e["text"] for e in customer.events() if e["event"] == "user"]
    assert user_texts[-1] == '/inform{"choice": "refund"}'

    sent = customer.turn("３")  # full-width, as a Chinese keyboard may send it
    [read_back] = _rendered_bot_messages_after(customer, '/inform{"choice": "sms"}')
    assert sent == split_sms(read_back) and len(sent) > 1
    assert "涉及金额：500 元" in read_back and "卡号后四位：1234" in read_back
    assert read_back.endswith("\n1. 确认提交\n2. 修改\n3. 取消投诉")

    sent = customer.turn("1")  # 确认提交
    confirmations = _rendered_bot_messages_after(customer, "/affirm")
    assert sent == as_parts(confirmations)
    number = TICKET_NUMBER.search(confirmations[0]).group(0)
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert (ticket.channel, ticket.sender_id, ticket.contact_preference) == (
        "sms", customer.phone, "sms")
    # Texted from this number: it is the number to text, never asked for.
    assert ticket.contact_phone == customer.phone

    # The agent's resolution reaches the customer by SMS (trigger_intent, output_channel=latest).
    resolution = "经核实，ATM故障导致吞卡，500元已退回您的账户。"
    resolved = requests.post(f"{stack.handoff_url}/api/v1/tickets/{number}/resolve",
                             json={"resolution": resolution, "agent_id": "agent-7"},
                             headers=_service_headers(stack), timeout=30)
    assert resolved.status_code == 200 and resolved.json()["customer_notified"] is True
    # They chose a text and were told here by text: no second message.
    assert resolved.json()["outcome_notice"]["status"] == "already_told"
    assert customer.new_messages() == as_parts([
        response_text("utter_ticket_resolved", "zh", ticket_number=number,
                      resolution=resolution),
        as_text_message("utter_ask_outcome_accepted", "zh")])


def test_the_phone_a_web_complaint_is_texted_to_is_answered_about_it_by_number(stack) -> None:
    """An anonymous web customer chose 短信通知我 and gave their mobile. The outcome text asks
    them to reply quoting the number: their reply, a new SMS conversation, is their verdict on
    it ("…处理结果我不接受" reopens it with what is still wrong), and later questions get its
    status. Another number quoting it is told it is not found, and a masked line logged."""
    mobile, web = f"135{secrets.randbelow(10**8):08d}", f"web-{secrets.token_hex(4)}"
    number = _web_complaint_resolved(stack, web, mobile, "zh")

    stranger = SmsCustomer(stack)
    try:
        stranger.say(f"{number} 处理结果我不接受",
                     response_text("utter_ticket_not_found", "zh", ticket_number=number))
    finally:
        stranger.close()
    phone = SmsCustomer(stack, "+86" + mobile)
    try:
        assert phone.new_messages() == split_sms(outcome_sms(number, "已退回500元", "zh"))
        phone.say(f"{number} 处理结果我不接受", response_text("utter_ask_outcome_comment", "zh"))
        phone.say("钱还没有退回来",
                  response_text("utter_outcome_reopened", "zh", ticket_number=number))
        with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
            ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
            history = [(event.actor, event.status) for event in ticket.events]
            status = response_text("utter_ticket_status", "zh",
                                   tickets=ticket_line(TicketView.of(ticket), "zh"))
        assert (ticket.status, ticket.customer_accepted, ticket.customer_feedback) == (
            "reopened", False, "钱还没有退回来")
        assert history[-1] == (f"customer:+86{mobile}", "reopened")
        assert "重新处理中" in status
        phone.say(f"我的投诉{number}进度", status)
    finally:
        phone.close()
    log = stack.log_path.read_text(errors="replace")
    masked = stranger.phone[:-8] + "****" + stranger.phone[-4:]
    assert f"ticket_status.not_found ticket={number} reason=someone_elses channel=sms " \
           f"sender={masked}" in log


# A web complaint to be texted its outcome: its lines up to the read-back's "submit".
WEB_COMPLAINT_TEXTED = {
    "zh": ("我要投诉，上周五ATM吞了我的卡，还扣了500元", "尾号1234",
           '/inform{"choice": "refund"}', "短信通知我"),
    "en": ("I want to complain: the ATM kept my card last Friday and took 500 yuan",
           "ending in 1234", '/inform{"choice": "refund"}', "text me"),
}


def _web_complaint_resolved(stack: Any, web: str, mobile: str, language: str) -> str:
    """An anonymous web complaint that chose a text to `mobile`, resolved and texted: its
    number. The web conversation is left at the outcome question, its buttons open."""
    for line in (*WEB_COMPLAINT_TEXTED[language], mobile, "/affirm"):
        replies = stack.say(web, line)
    number = TICKET_NUMBER.search(replies[0]).group(0)
    resolved = requests.post(f"{stack.handoff_url}/api/v1/tickets/{number}/resolve",
                             json={"resolution": "已退回500元", "agent_id": "agent-7"},
                             headers=_service_headers(stack), timeout=30)
    assert resolved.json()["outcome_notice"]["status"] == "sent"
    said = [event["text"] for event in stack.tracker_via_api(web)["events"]
            if event["event"] == "bot"]
    assert said[-1] == response_text("utter_ask_outcome_accepted", language)
    return number


def _verdict_and_history(stack: Any, number: str) -> Tuple[Any, ...]:
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        return (ticket.status, ticket.customer_accepted, ticket.customer_feedback,
                [(event.actor, event.status, event.note) for event in ticket.events])


@pytest.mark.parametrize(
    ("language", "first_by_sms", "comment", "web_button", "again_by_sms", "recorded"), [
        ("zh", "{number} 处理结果我接受", None, "/deny", "{number} 处理结果我不接受",
         "utter_outcome_already_accepted"),
        ("en", "I don't accept the outcome of case {number}", "the money is not back yet",
         "/affirm", "I accept the outcome of case {number}", "utter_outcome_already_reopened"),
        # Typed rather than clicked: the same question, read by the form.
        ("zh", "{number} 处理结果我不接受", "钱还没有退回来", "接受", "{number} 处理结果我接受",
         "utter_outcome_already_reopened"),
    ], ids=["zh-accepted-by-sms", "en-refused-by-sms", "zh-refused-by-sms-typed-on-the-web"])
def test_a_verdict_by_sms_stands_when_the_web_question_is_answered_after_it(
        stack, language: str, first_by_sms: str, comment: Optional[str], web_button: str,
        again_by_sms: str, recorded: str) -> None:
    """The outcome question stays open in the web chat after the customer answered the outcome
    text by SMS. A click on either of its buttons (or a typed answer), or a second verdict by
    SMS, is told the verdict already recorded (accepted, or reopened) with the ticket's number,
    and logged; the ticket and its history stay as the first verdict left them; "不接受" is not
    asked what is wrong."""
    mobile, web = f"135{secrets.randbelow(10**8):08d}", f"web-{secrets.token_hex(4)}"
    number = _web_complaint_resolved(stack, web, mobile, language)
    phone = SmsCustomer(stack, "+86" + mobile)
    try:
        phone.new_messages()  # the outcome text
        if comment is None:
            phone.say(first_by_sms.format(number=number),
                      response_text("utter_outcome_thanks", language, ticket_number=number))
        else:
            phone.say(first_by_sms.format(number=number),
                      response_text("utter_ask_outcome_comment", language))
            phone.say(comment, response_text("utter_outcome_reopened", language,
                                              ticket_number=number))
        first = _verdict_and_history(stack, number)
        assert first[0] == ("closed" if comment is None else "reopened")
        assert first[-1][-1][:2] == (f"customer:+86{mobile}", first[0])

        assert stack.say(web, web_button) == [
            response_text(recorded, language, ticket_number=number)]
        phone.say(again_by_sms.format(number=number),
                  response_text(recorded, language, ticket_number=number))
    finally:
        phone.close()
    assert _verdict_and_history(stack, number) == first
    assert stack.tracker_via_api(web)["active_loop"] in (None, {})
    # The web answer's line (a whole SMS turn before this read).
    assert f"outcome.not_awaited number={number} status={first[0]}" in stack.log_path.read_text(
        errors="replace")


@pytest.mark.parametrize(("language", "answer", "comment", "texted_before"), [
    ("zh", "我接受", None, False),
    ("en", "no, I don't accept", "the money is not back yet", False),
    ("zh", "接受处理结果", None, False),
    # The phone's conversation is running when the text goes: the question is put into it.
    ("en", "yes", None, True),
], ids=["zh-accepts", "en-refuses", "zh-accepts-the-outcome", "en-yes-in-a-running-chat"])
def test_a_plain_answer_to_the_outcome_text_is_the_verdict_on_its_ticket(
        stack, language: str, answer: str, comment: Optional[str], texted_before: bool) -> None:
    """The outcome text asks whether the customer accepts it: a plain answer by SMS, without
    the ticket's number, is that verdict, recorded once as the customer's from that phone;
    a "no" is asked what is still wrong and reopens the ticket with it."""
    mobile, web = f"135{secrets.randbelow(10**8):08d}", f"web-{secrets.token_hex(4)}"
    phone = SmsCustomer(stack, "+86" + mobile)
    try:
        if texted_before:
            phone.say("hello", response_text("utter_greet", "en"))
        number = _web_complaint_resolved(stack, web, mobile, language)
        assert phone.new_messages() == split_sms(outcome_sms(number, "已退回500元", language))
        if comment is None:
            phone.say(answer, response_text("utter_outcome_thanks", language,
                                            ticket_number=number))
        else:
            phone.say(answer, response_text("utter_ask_outcome_comment", language))
            phone.say(comment, response_text("utter_outcome_reopened", language,
                                             ticket_number=number))
    finally:
        phone.close()
    status, accepted, feedback, history = _verdict_and_history(stack, number)
    assert (status, accepted, feedback) == (
        ("closed", True, None) if comment is None else ("reopened", False, comment))
    verdicts = [event for event in history if event[0].startswith("customer:")]
    assert [event[:2] for event in verdicts] == [(f"customer:+86{mobile}", status)]
    # Put by the Rasa server when the text went (a running chat), else when the reply
    # started the phone's conversation; the number masked in the log.
    masked = mask_pii("+86" + mobile)
    assert masked != "+86" + mobile
    log = stack.log_path.read_text(errors="replace")
    assert (f"agent_bridge.outcome_question ticket={number} conversation={masked} "
            f"result={'asked' if texted_before else 'not_running'}") in log
    assert (f"session_start.outcome_question ticket={number} sender={masked}" in log) \
        is not texted_before
    assert mobile not in log


def test_quoting_an_older_outcome_text_answers_that_ticket_not_the_last_one(stack) -> None:
    """Two outcomes texted to one phone: a plain answer would be about the last one, but
    quoting the older one's number, as its text asks, is the verdict on that one; the last
    one still awaits its own."""
    mobile = f"135{secrets.randbelow(10**8):08d}"
    older = _web_complaint_resolved(stack, f"web-{secrets.token_hex(4)}", mobile, "zh")
    latest = _web_complaint_resolved(stack, f"web-{secrets.token_hex(4)}", mobile, "zh")
    phone = SmsCustomer(stack, "+86" + mobile)
    try:
        assert len(phone.new_messages()) == 2 * len(split_sms(outcome_sms(older, "已退回500元",
                                                                          "zh")))
        phone.say(f"{older} 处理结果我不接受", response_text("utter_ask_outcome_comment", "zh"))
        phone.say("钱还没有退回来",
                  response_text("utter_outcome_reopened", "zh", ticket_number=older))
    finally:
        phone.close()
    assert _verdict_and_history(stack, older)[:3] == ("reopened", False, "钱还没有退回来")
    assert _verdict_and_history(stack, latest)[:2] == ("resolved", None)


def test_the_outcome_question_goes_only_into_a_free_running_conversation(stack) -> None:
    """The bridge puts a texted outcome's question into a conversation that runs and is free;
    one not begun is left to its session start, and one with an agent or at another form's
    question is left as it is. Bad calls are refused."""
    service = _service_headers(stack)
    ask = f"{stack.rasa_url}/webhooks/agent_bridge/outcome_question"

    def asked(conversation_id: str) -> str:
        answer = requests.post(ask, json={"conversation_id": conversation_id,
                                          "ticket_number": "KF-20261128-00042"},
                               headers=service, timeout=30)
        assert answer.status_code == 200
        return str(answer.json()["question"])

    unborn = f"bridge-{secrets.token_hex(4)}"
    assert asked(unborn) == "not_running"
    assert stack.redis.get(f"kefu:tracker:{unborn}") is None
    complaining = f"bridge-{secrets.token_hex(4)}"
    stack.say(complaining, WEB_COMPLAINT_TEXTED["zh"][0])
    assert asked(complaining) == "busy"
    assert stack.tracker_via_api(complaining)["active_loop"]["name"] == "complaint_form"
    with_agent = f"bridge-{secrets.token_hex(4)}"
    stack.say(with_agent, "你好")
    paused = requests.post(f"{stack.rasa_url}/webhooks/agent_bridge/pause",
                           json={"conversation_id": with_agent}, headers=service, timeout=30)
    assert paused.json()["paused"] is True
    assert asked(with_agent) == "with_an_agent"
    assert stack.tracker_via_api(with_agent)["slots"]["outcome_ticket"] is None
    for body, headers, status in (({"conversation_id": with_agent}, service, 400),
                                  ({"conversation_id": with_agent, "ticket_number": 42},
                                   service, 400),
                                  ({"conversation_id": with_agent,
                                    "ticket_number": "KF-20261128-00042"}, {}, 401)):
        refused = requests.post(ask, json=body, headers=headers, timeout=30)
        assert refused.status_code == status and "error" in refused.json()


def test_an_english_customer_by_sms_is_handed_to_an_agent_who_replies_by_sms(
        stack, customer) -> None:
    stack.reset_handoffs()
    stack.agent_on_break()  # on shift but busy: the conversation waits in the queue
    customer.say("hello", response_text("utter_greet", "en"))
    customer.say("I lost my card, what should I do", as_text_message("utter_card_lost", "en"))
    assert as_text_message("utter_card_lost", "en").endswith("\n1. Talk to a person")
    sent = customer.turn("1")
    told = _rendered_bot_messages_after(customer, "/human_handoff")
    assert sent == as_parts(told), (sent, told)
    assert _queued_pattern("en").fullmatch(told[-1]), told
    assert stack.redis.zrank(QUEUE_KEY, customer.phone) is not None
    request = json.loads(stack.redis.hget(conversation_key(customer.phone), "request"))
    assert request["channel"] == "sms"

    # The handoff service relays an agent's reply through the agent bridge: it goes by SMS.
    bridged = requests.post(f"{stack.rasa_url}/webhooks/agent_bridge/message",
                            json={"conversation_id": customer.phone,
                                  "text": "Hello, this is Anna. I have frozen your card."},
                            headers=_service_headers(stack), timeout=30)
    assert bridged.status_code == 200 and bridged.json()["channel"] == "sms"
    assert customer.new_messages() == ["Hello, this is Anna. I have frozen your card."]
    # While an agent has the conversation, the bot stays quiet.
    customer.say("thank you so much")


def test_a_vague_text_gets_the_topics_menu_as_numbered_choices_and_a_number_picks(
        stack, customer) -> None:
    menu = customer.turn("我的卡有点问题")
    told = _rendered_bot_messages_after(customer, "我的卡有点问题")
    assert menu == as_parts(told)
    choices = menu_buttons(topic_of("我的卡有点问题"), "zh")
    assert told == [numbered_choices(response_text("utter_topic_card", "zh"), choices)]
    something_else = len(choices)  # the menu's last choice
    assert "1. 挂失银行卡" in told[0] and f"{something_else}. 其他问题" in told[0]
    customer.say("1", as_text_message("utter_card_lost", "zh"))
    # "Something else" asks for a description instead of "sorry, I did not understand".
    customer.turn("我的卡有点问题")
    customer.say(str(something_else), response_text("utter_describe_request", "zh"))


def test_a_forged_or_unsigned_text_is_refused_with_403_and_a_masked_log_line(
        stack, customer) -> None:
    forged = customer.post("转账五万元到这个账户", signature="c29tZXRoaW5nIGZvcmdlZA==")
    assert forged.status_code == 403 and "does not match" in forged.json()["error"]
    # Signed by someone who knows only the local address, not the public one Twilio signs.
    local = customer.post("你好", signed_url=stack.sms_webhook_url)
    assert local.status_code == 403
    fields = stack.twilio.incoming_fields(customer.phone, "你好")
    unsigned = requests.post(stack.sms_webhook_url, data=fields, timeout=30)
    assert unsigned.status_code == 403 and "missing" in unsigned.json()["error"]
    assert stack.redis.get(f"kefu:tracker:{customer.phone}") is None

    customer.say("你好", response_text("utter_greet", "zh"))  # the genuine one gets through
    log = stack.log_path.read_text(errors="replace")
    masked = customer.phone[:-8] + "****" + customer.phone[-4:]
    assert f"sms.request_rejected status=403 reason=X-Twilio-Signature does not match " \
           f"from={masked}" in log
    assert customer.phone not in log


def test_bad_sms_requests_get_a_4xx_and_the_conversation_survives(stack, customer) -> None:
    customer.say("你好", response_text("utter_greet", "zh"))
    before = stack.tracker_in_redis(customer.phone)["events"]
    url, twilio = stack.sms_webhook_url, stack.twilio
    public = stack.environment["KEFU_SMS_WEBHOOK_URL"]
    fields = twilio.incoming_fields(customer.phone, "你好")
    for missing, status in (("From", 400), ("Body", 400)):
        partial = {name: value for name, value in fields.items() if name != missing}
        assert twilio.post_webhook(url, partial, signed_url=public).status_code == status
    huge = twilio.post_webhook(url, {**fields, "Body": "长" * 30_000}, signed_url=public)
    assert huge.status_code == 413
    as_json = requests.post(url, json=fields, timeout=30)
    assert as_json.status_code == 415
    assert stack.tracker_in_redis(customer.phone)["events"] == before
    customer.say("谢谢", response_text("utter_you_are_welcome", "zh"))


def test_a_repeated_message_sid_is_processed_once(stack, customer) -> None:
    sid = customer.send("你好")
    assert customer.send("你好", message_sid=sid)  # Twilio's retry: answered, not processed
    customer.wait_until_handled(sid)
    assert customer.new_messages() == as_parts([response_text("utter_greet", "zh")])
    # Messages of one number are handled in order, so when this one is done, so is any copy.
    customer.say("谢谢", response_text("utter_you_are_welcome", "zh"))
    user_events = [e for e in stack.tracker_in_redis(customer.phone)["events"]
                   if e["event"] == "user"]
    assert [(e["text"], e["message_id"]) for e in user_events][:1] == [("你好", sid)]
    assert len(user_events) == 2
    assert customer.new_messages() == []
    assert [m.body for m in stack.twilio.sent_to(customer.phone)] == as_parts([
        response_text("utter_greet", "zh"), response_text("utter_you_are_welcome", "zh")])


def test_after_stop_nothing_is_sent_until_start(stack, customer) -> None:
    customer.say("hello", response_text("utter_greet", "en"))
    customer.keyword("STOP", OPTED_OUT_TEXT["en"])
    assert stack.redis.sismember("kefu:sms:opted_out", customer.phone)
    # The bot still reads what the customer writes, and its answer is recorded, not sent.
    customer.say("thanks a lot")
    assert customer.events()[-1]["text"] == response_text("utter_you_are_welcome", "en")
    customer.send("STOP")  # a second STOP: no second confirmation
    bridged = requests.post(f"{stack.rasa_url}/webhooks/agent_bridge/message",
                            json={"conversation_id": customer.phone, "text": "An agent here."},
                            headers=_service_headers(stack), timeout=30)
    assert bridged.status_code == 200
    customer.keyword("START", OPTED_IN_TEXT["en"])  # handled after the STOP before it
    assert not stack.redis.sismember("kefu:sms:opted_out", customer.phone)
    customer.say("hello", response_text("utter_greet", "en"))
    log = stack.log_path.read_text(errors="replace")
    assert "sms.suppressed" in log


@pytest.mark.parametrize("word", ["退订", "TD"])
def test_chinese_stop_is_confirmed_in_chinese(customer, word: str) -> None:
    customer.keyword(word, OPTED_OUT_TEXT["zh"])
    customer.keyword("订阅", OPTED_IN_TEXT["zh"])


def _held_by_a_dead_process(stack: Any, customer: SmsCustomer, text: str) -> str:
    """What a Rasa process that answered Twilio and then died leaves in Redis: the MessageSid
    seen and the text held under an owner that is no longer alive. The text's MessageSid."""
    sid = "SM" + secrets.token_hex(16)
    inbound = InboundSms(sender=customer.phone, text=text, message_sid=sid,
                         to=stack.twilio.sender)

    async def hold() -> None:
        client = aioredis.Redis.from_url(stack.environment["REDIS_URL"])
        try:
            dead = Inbox(lambda: client, "sms", owner=f"dead-{secrets.token_hex(4)}")
            assert await dead.hold_first_delivery(sid, asdict(inbound),
                                                  SEEN_KEY.format(sid=sid), SEEN_TTL_SECONDS)
        finally:
            await client.close()

    asyncio.run(hold())
    return sid


def _wait_until_released(stack: Any, sid: str) -> None:
    """Released after the bot's turn: wait (keyspace notification) until the key is gone."""
    key = f"kefu:inbox:sms:{sid}"
    stack.redis.config_set("notify-keyspace-events", "Kgh$")
    with stack.redis.pubsub(ignore_subscribe_messages=True) as changes:
        changes.subscribe(f"__keyspace@0__:{key}")
        deadline = time.monotonic() + WAIT_SECONDS
        while stack.redis.exists(key):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{key} was not released")
            changes.get_message(timeout=max(0.0, deadline - time.monotonic()))


def test_a_text_taken_by_a_process_that_died_is_replayed_once_and_answered(
        stack, customer) -> None:
    greeted = _held_by_a_dead_process(stack, customer, "你好")
    customer.wait_until_handled(greeted)
    assert customer.new_messages() == as_parts([response_text("utter_greet", "zh")])
    _wait_until_released(stack, greeted)
    # A second orphan: once it is answered, the server has swept again since the first one.
    thanked = _held_by_a_dead_process(stack, customer, "谢谢")
    customer.wait_until_handled(thanked)
    _wait_until_released(stack, thanked)
    assert customer.new_messages() == as_parts([response_text("utter_you_are_welcome", "zh")])
    user_events = [(e["text"], e["message_id"]) for e in customer.events() if e["event"] == "user"]
    assert user_events == [("你好", greeted), ("谢谢", thanked)]  # each handled once
    log = stack.log_path.read_text(errors="replace")
    # Log lines pass the PII filter: the number is masked, and so would be a digit run in a sid.
    assert log.count(mask_pii(f"sms.replayed from={customer.phone} sid={greeted} replay=1/")) == 1
    assert customer.phone not in log
