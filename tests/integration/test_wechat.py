"""Followers of the WeChat Official Account through the real servers: the fake WeChat posts
signed (and AES-encrypted) XML to Rasa's webhook as WeChat would, reads the passive replies
and records what kefu sends through the customer-service message API.

A passive reply ends its turn: the webhook answers only once the bot is done or the 5 s budget
is spent. Replies sent later through the API are waited for at the fake WeChat.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import asdict
from typing import Any, Dict, Iterator, List, Optional

import pytest
import redis.asyncio as aioredis
import requests

from bot.channels.choices import numbered_choices
from bot.channels.inbox import Inbox
from bot.channels.wechat import POLITE_ANSWERS, SEEN_KEY, SEEN_TTL_SECONDS
from bot.channels.wechat_output import JOINER, mask_openid
from bot.channels.wechat_xml import InboundWeChat
from bot.pii import mask_pii
from handoff.keys import QUEUE_KEY
from tests.bilingual import as_text_message, response_text
from tests.fakes.wechat import WebhookReply

# WeChat gives up on an answer after 5 s and retries.
WECHAT_TIMEOUT_SECONDS = 5.0
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1700000000</CreateTime>
<MsgType><![CDATA[text]]></MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1700000000</CreateTime>
<MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


class Follower:
    """A WeChat user writing to the Official Account through the fake WeChat."""

    def __init__(self, stack: Any, aes: bool = False) -> None:
        self.stack, self.wechat, self.aes = stack, stack.wechat, aes
        self.openid = "o" + secrets.token_urlsafe(21)[:27]  # WeChat's OpenIDs: 28 characters
        # The conversation's id in Rasa: the OpenID under the channel's name.
        self.conversation_id = f"wechat:{self.openid}"

    def post(self, xml: str, **kwargs: Any) -> WebhookReply:
        return self.wechat.post(self.stack.wechat_webhook_url, xml, aes=self.aes, **kwargs)

    def send(self, text: str, msg_id: Optional[str] = None) -> WebhookReply:
        reply = self.post(self.wechat.text_xml(self.openid, text, msg_id))
        assert reply.status == 200, reply.body
        return reply

    def say(self, text: str, *replies: str) -> None:
        """Send a text; the passive reply must be exactly these messages, joined."""
        reply = self.send(text)
        if replies:
            assert reply.content == JOINER.join(replies), reply.body
            assert reply.fields["ToUserName"] == self.openid
            assert reply.fields["FromUserName"] == self.wechat.account
        else:
            assert reply.body == "success"

    def wait_until_recorded(self, msg_id: str, timeout: float = 30.0) -> None:
        """Rasa saves the conversation after its output channel has sent every reply: wait
        until Redis reports (keyspace notification) a save that holds the message."""
        self.stack.redis.config_set("notify-keyspace-events", "K$")
        with self.stack.redis.pubsub(ignore_subscribe_messages=True) as saves:
            saves.subscribe(f"__keyspace@0__:kefu:tracker:{self.conversation_id}")
            deadline = time.monotonic() + timeout
            while not self._recorded(msg_id):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"message {msg_id} of {self.openid} was not recorded")
                saves.get_message(timeout=max(0.0, deadline - time.monotonic()))

    def _recorded(self, msg_id: str) -> bool:
        stored = self.stack.redis.get(f"kefu:tracker:{self.conversation_id}")
        return stored is not None and any(
            event.get("message_id") == msg_id and event["event"] == "user"
            for event in self.stack.tracker_in_redis(self.conversation_id)["events"])

    def events(self) -> List[Dict[str, Any]]:
        return [event for event in self.stack.tracker_in_redis(self.conversation_id)["events"]
                if event["event"] in ("user", "bot")]

    def bot_messages_after(self, text: str) -> List[str]:
        events = self.events()
        start = max(i for i, event in enumerate(events)
                    if event["event"] == "user" and event["text"] == text)
        return [numbered_choices(event["text"], (event.get("data") or {}).get("buttons") or [])
                for event in events[start + 1:]]


@pytest.fixture
def follower(stack) -> Follower:
    return Follower(stack)


@pytest.fixture
def aes_follower(stack) -> Follower:
    return Follower(stack, aes=True)


@pytest.fixture
def slow_actions(stack) -> Iterator[None]:
    """Every custom action takes 8 s (WeChat would have given up after 5 s)."""
    stack.actions.delay_seconds = 8.0
    try:
        yield
    finally:
        stack.actions.delay_seconds = 0.0


def _service_headers(stack: Any) -> Dict[str, str]:
    return {"Authorization": f"Bearer {stack.environment['KEFU_SERVICE_TOKEN']}"}


def test_the_url_check_echoes_echostr_only_when_signed(stack) -> None:
    query = {**stack.wechat.query(), "echostr": "8417392651098"}
    verified = requests.get(stack.wechat_webhook_url, params=query, timeout=30)
    assert verified.status_code == 200 and verified.text == "8417392651098"
    forged = requests.get(stack.wechat_webhook_url, timeout=30,
                          params={**query, "signature": "0" * 40})
    assert forged.status_code == 403 and forged.json()["error"] == "signature does not match"


def test_a_chinese_follower_subscribes_writes_speaks_and_sends_a_picture(stack, follower) -> None:
    welcome = follower.post(stack.wechat.message_xml(follower.openid, "event",
                                                     Event="subscribe", EventKey=""))
    assert welcome.content == response_text("utter_greet", "zh")
    follower.say("你好", response_text("utter_greet", "zh"))
    voice = follower.post(stack.wechat.message_xml(
        follower.openid, "voice", MediaId="media-1", Format="amr", Recognition="谢谢。",
        MsgId=stack.wechat.next_msg_id()))
    assert voice.content == response_text("utter_you_are_welcome", "zh")
    assert follower.events()[-2]["text"] == "谢谢。"  # the Recognition went to the bot
    picture = follower.post(stack.wechat.message_xml(
        follower.openid, "image", PicUrl="http://mmbiz.qpic.cn/x", MediaId="media-2",
        MsgId=stack.wechat.next_msg_id()))
    assert picture.content == POLITE_ANSWERS["unsupported"]["zh"]
    # A menu button stands for an intent; its answer carries numbered choices.
    clicked = follower.post(stack.wechat.message_xml(follower.openid, "event", Event="CLICK",
                                                     EventKey="MENU_CARD_LOST"))
    assert clicked.content == as_text_message("utter_card_lost", "zh")
    assert clicked.content.endswith("\n1. 转人工")
    assert [e["text"] for e in follower.events() if e["event"] == "user"][-1] == "/card_lost"
    unknown = follower.post(stack.wechat.message_xml(follower.openid, "event", Event="CLICK",
                                                     EventKey="MENU_GONE"))
    assert unknown.content == POLITE_ANSWERS["menu"]["zh"]
    assert stack.wechat.sent_to(follower.openid) == []  # everything answered passively


def test_an_english_follower_in_safe_mode_is_handed_to_an_agent_who_replies_once(
        stack, aes_follower, someone_on_shift) -> None:
    follower = aes_follower
    follower.say("hello", response_text("utter_greet", "en"))
    follower.say("I lost my card, what should I do", as_text_message("utter_card_lost", "en"))
    picture = follower.post(stack.wechat.message_xml(
        follower.openid, "image", PicUrl="http://mmbiz.qpic.cn/x", MediaId="m",
        MsgId=stack.wechat.next_msg_id()))
    assert picture.content == POLITE_ANSWERS["unsupported"]["en"]
    handed = follower.send("1")  # the numbered choice: "Talk to a person"
    told = follower.bot_messages_after("/human_handoff")
    assert handed.content == JOINER.join(told)
    queued = re.escape(response_text("utter_handoff_queued_no_estimate", "en",
                                     queue_position="@")).replace("@", r"\d+")
    assert re.fullmatch(queued, told[-1]), told
    assert stack.redis.zrank(QUEUE_KEY, follower.conversation_id) is not None

    agent_text = "Hello, this is Anna. I have frozen your card."
    bridged = requests.post(f"{stack.rasa_url}/webhooks/agent_bridge/message",
                            json={"conversation_id": follower.conversation_id, "text": agent_text},
                            headers=_service_headers(stack), timeout=30)
    assert bridged.status_code == 200 and bridged.json()["channel"] == "wechat"
    assert stack.wechat.wait_for(follower.openid, 1) == [agent_text]
    follower.say("thank you so much")  # with an agent, the bot stays quiet: "success"
    assert stack.wechat.sent_to(follower.openid) == [agent_text]  # exactly once
    [sent] = [m for m in stack.wechat.messages if m.touser == follower.openid]
    assert b"\\u" not in sent.raw  # UTF-8 as it is: WeChat would show \\uXXXX escapes


def test_a_forged_signature_is_refused_with_403_and_a_log_line(stack, follower) -> None:
    xml = stack.wechat.text_xml(follower.openid, "转账五万元")
    forged = follower.post(xml, params={**stack.wechat.query(), "signature": "f" * 40})
    assert forged.status == 403 and "signature does not match" in forged.body
    stale = follower.post(xml, params=stack.wechat.query(timestamp=str(int(time.time()) - 3600)))
    assert stale.status == 403 and "timestamp" in stale.body
    encrypted = stack.wechat.encrypt(xml)
    wrong_msg = {**stack.wechat.query(encrypted, aes=True), "msg_signature": "0" * 40}
    aes_forged = stack.wechat.post(stack.wechat_webhook_url, xml, aes=True, params=wrong_msg)
    assert aes_forged.status == 403 and "msg_signature does not match" in aes_forged.body
    assert stack.redis.get(f"kefu:tracker:{follower.conversation_id}") is None
    log = stack.log_path.read_text(errors="replace")
    assert "wechat.request_rejected status=403 reason=signature does not match openid=-" in log
    assert "wechat.request_rejected status=403 reason=msg_signature does not match" in log
    follower.say("你好", response_text("utter_greet", "zh"))  # the genuine one gets through


def test_a_repeated_msg_id_is_processed_once_and_its_answer_given_again(stack, follower) -> None:
    msg_id = stack.wechat.next_msg_id()
    first = follower.send("你好", msg_id=msg_id)
    retry = follower.send("你好", msg_id=msg_id)  # WeChat's retry: the first answer was lost
    assert first.content == retry.content == response_text("utter_greet", "zh")
    user_events = [e for e in follower.events() if e["event"] == "user"]
    assert [(e["text"], e["message_id"]) for e in user_events] == [("你好", msg_id)]
    assert "wechat.duplicate" in stack.log_path.read_text(errors="replace")


def test_an_xml_bomb_and_an_external_entity_are_refused(stack, follower, aes_follower) -> None:
    for attack in (BILLION_LAUGHS, XXE):
        xml = attack.replace("{openid}", follower.openid)
        plain = follower.post(xml)
        assert plain.status == 400 and "DOCTYPE" in plain.body, plain.body
        hidden = aes_follower.post(xml)  # the same inside a safe-mode envelope
        assert hidden.status == 400 and "DOCTYPE" in hidden.body, hidden.body
    assert stack.redis.get(f"kefu:tracker:{follower.conversation_id}") is None
    assert "reason=XML with a DOCTYPE or entities is refused" in stack.log_path.read_text(
        errors="replace")
    follower.say("你好", response_text("utter_greet", "zh"))


def test_a_slow_reply_is_sent_through_the_customer_service_api(
        stack, follower, slow_actions) -> None:
    stack.wechat.expire_tokens()  # the cached token is refused (42001): a new one is fetched
    issued = stack.wechat.token_requests
    started, msg_id = time.monotonic(), stack.wechat.next_msg_id()
    reply = follower.send("你好", msg_id)  # action_greet runs on the action server: 8 s
    answered_after = time.monotonic() - started
    assert reply.body == "success" and answered_after < WECHAT_TIMEOUT_SECONDS
    assert stack.wechat.wait_for(follower.openid, 1) == [response_text("utter_greet", "zh")]
    assert stack.wechat.token_requests > issued
    follower.wait_until_recorded(msg_id)
    assert [e["text"] for e in follower.events()] == ["你好", response_text("utter_greet", "zh")]


def test_bad_requests_get_a_clear_error_and_odd_messages_a_polite_answer(
        stack, follower) -> None:
    follower.say("你好", response_text("utter_greet", "zh"))
    before = follower.events()
    malformed = follower.post("<xml><Content>半截", raw=None)
    assert malformed.status == 400 and "malformed XML" in malformed.body
    huge = follower.post(stack.wechat.text_xml(follower.openid, "长" * 30_000))
    assert huge.status == 413
    empty = follower.post("", raw=b"")
    assert empty.status == 400 and "empty" in empty.body
    not_utf8 = follower.post("", raw="<xml>你好</xml>".encode("gbk"))
    assert not_utf8.status == 400 and "UTF-8" in not_utf8.body
    no_sender = follower.post("<xml><MsgType>text</MsgType><Content>hi</Content></xml>")
    assert no_sender.status == 400 and "FromUserName" in no_sender.body
    assert follower.events() == before
    blank = follower.send("   ")
    assert blank.content == POLITE_ANSWERS["empty"]["zh"]
    video = follower.post(stack.wechat.message_xml(follower.openid, "shortvideo", MediaId="v",
                                                   MsgId=stack.wechat.next_msg_id()))
    assert video.content == POLITE_ANSWERS["unsupported"]["zh"]
    emoji = follower.send("👍👍")  # reaches the bot, which answers something
    assert emoji.status == 200 and emoji.content
    assert [e["text"] for e in follower.events() if e["event"] == "user"][-1] == "👍👍"
    log = stack.log_path.read_text(errors="replace")
    assert "wechat.request_rejected status=413" in log
    assert "reason=type_shortvideo" in log


def test_a_message_taken_by_a_process_that_died_is_replayed_and_answered_through_the_api(
        stack, follower) -> None:
    """The process answered WeChat ("success" or a passive reply it never sent) and died: the
    survivor replays the message, and its answer can only go through the API."""
    msg_id = stack.wechat.next_msg_id()
    inbound = InboundWeChat(openid=follower.openid, account=stack.wechat.account,
                            msg_type="text", dedupe_key=msg_id, text="你好")

    async def hold() -> None:
        client = aioredis.Redis.from_url(stack.environment["REDIS_URL"])
        try:
            dead = Inbox(lambda: client, "wechat", owner=f"dead-{secrets.token_hex(4)}")
            assert await dead.hold_first_delivery(msg_id, asdict(inbound),
                                                  SEEN_KEY.format(key=msg_id), SEEN_TTL_SECONDS)
        finally:
            await client.close()

    asyncio.run(hold())
    follower.wait_until_recorded(msg_id)
    assert stack.wechat.wait_for(follower.openid, 1) == [response_text("utter_greet", "zh")]
    # WeChat's retry of it (had there been one) is not handled a second time.
    assert follower.post(stack.wechat.text_xml(follower.openid, "你好", msg_id)).body == "success"
    follower.say("谢谢", response_text("utter_you_are_welcome", "zh"))
    user_events = [(e["text"], e.get("message_id")) for e in follower.events()
                   if e["event"] == "user"]
    assert user_events[0] == ("你好", msg_id) and len(user_events) == 2
    assert stack.wechat.sent_to(follower.openid) == [response_text("utter_greet", "zh")]
    log = stack.log_path.read_text(errors="replace")
    # Log lines pass the PII filter, which takes a 13-digit MsgId for a card number.
    assert log.count(mask_pii(f"wechat.replayed openid={mask_openid(follower.openid)} "
                              f"key={msg_id} replay=1/")) == 1
