"""The WeChat channel's parts: signatures, safe mode, safe XML, what each message asks for,
passive replies and their hand-over to the customer-service API (against the fake WeChat)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from types import SimpleNamespace
from typing import Any, AsyncIterator, List, Tuple
from xml.etree import ElementTree

import pytest
import redis.asyncio as aioredis
import xmltodict
from rasa.core.channels.channel import UserMessage

from bot.channels.choices import ChoiceMemory
from bot.channels.inbox import Inbox
from bot.channels.rest import WebhookRequestError
from bot.channels.wechat import WeChatInput, WeChatSettings, plan_for
from bot.channels.wechat_api import AccessTokens, CustomerServiceApi, WeChatNotSent, split_text
from bot.channels.wechat_output import JOINER, TurnOutput, joined, mask_openid
from bot.channels.wechat_security import SafeMode, check_signature, valid_aes_key
from bot.channels.wechat_xml import (
    MAX_TEXT_BYTES,
    InboundWeChat,
    cdata,
    encrypted_part,
    inbound_message,
    reject_unsafe_xml,
    text_reply_xml,
)
from tests.fakes.wechat import FakeWeChat, wechat_signature

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
MENU = {"MENU_CARD_LOST": "card_lost"}


@pytest.fixture
def wechat():
    with FakeWeChat() as fake:
        yield fake


def xml_of(wechat: FakeWeChat, msg_type: str, **fields: str) -> str:
    return wechat.message_xml(OPENID, msg_type, **fields)


# --- signatures and safe mode -------------------------------------------------------------------


def test_the_signature_is_wechat_s_sha1_of_the_sorted_parts(wechat) -> None:
    now = str(int(time.time()))
    check_signature(wechat.token, wechat_signature(wechat.token, now, "42"), now, "42")
    with pytest.raises(WebhookRequestError, match="does not match") as forged:
        check_signature(wechat.token, wechat_signature("another", now, "42"), now, "42")
    assert forged.value.status == 403
    with pytest.raises(WebhookRequestError, match="required"):
        check_signature(wechat.token, None, now, "42")


def test_an_old_timestamp_is_refused_even_when_signed(wechat) -> None:
    old = str(int(time.time()) - 3600)
    with pytest.raises(WebhookRequestError, match="window"):
        check_signature(wechat.token, wechat_signature(wechat.token, old, "1"), old, "1")


def test_safe_mode_decrypts_what_wechat_encrypts_and_back(wechat) -> None:
    safe = SafeMode(wechat.token, wechat.aes_key, wechat.app_id)
    xml = wechat.text_xml(OPENID, "你好 👋")
    encrypted = wechat.encrypt(xml)
    query = wechat.query(encrypted, aes=True)
    assert safe.decrypt(encrypted, query["msg_signature"], query["timestamp"],
                        query["nonce"]) == xml
    with pytest.raises(WebhookRequestError, match="msg_signature"):
        safe.decrypt(encrypted, "0" * 40, query["timestamp"], query["nonce"])
    envelope = {c.tag: c.text for c in ElementTree.fromstring(safe.encrypt("<xml>回复</xml>", "7"))}
    assert envelope["MsgSignature"] == wechat_signature(wechat.token, envelope["TimeStamp"], "7",
                                                        envelope["Encrypt"])
    assert wechat.decrypt(envelope["Encrypt"]) == "<xml>回复</xml>"


def test_safe_mode_refuses_another_app_s_message_and_garbage(wechat) -> None:
    other = FakeWeChat(token=wechat.token, aes_key=wechat.aes_key, app_id="wxffffffffffffffff")
    safe = SafeMode(wechat.token, wechat.aes_key, wechat.app_id)
    for encrypted, status in ((other.encrypt("<xml/>"), 403), ("bm90IGEgY2lwaGVy", 400)):
        query = wechat.query(encrypted, aes=True)
        with pytest.raises(WebhookRequestError) as refused:
            safe.decrypt(encrypted, query["msg_signature"], query["timestamp"], query["nonce"])
        assert refused.value.status == status


def test_aes_keys_are_wechat_s_43_characters() -> None:
    assert valid_aes_key(FakeWeChat().aes_key)
    assert not valid_aes_key("short")
    settings = WeChatSettings.from_environment({"KEFU_WECHAT_TOKEN": "t",
                                                "KEFU_WECHAT_AES_KEY": "short",
                                                "KEFU_WECHAT_APP_ID": "wx1"})
    assert settings.safe_mode() is None


# --- safe XML -----------------------------------------------------------------------------------


BOMB = ('<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        ']><xml><Content>&b;</Content></xml>')
XXE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>'
DOCTYPE_ONLY = '<!DOCTYPE xml SYSTEM "http://attacker.example/x.dtd"><xml><A>1</A></xml>'


@pytest.mark.parametrize("xml", [BOMB, XXE, DOCTYPE_ONLY])
def test_a_doctype_is_refused_before_anything_is_parsed(xml: str) -> None:
    with pytest.raises(WebhookRequestError, match="DOCTYPE") as refused:
        reject_unsafe_xml(xml)
    assert refused.value.status == 400


def test_xmltodict_alone_refuses_entities_but_lets_a_doctype_through() -> None:
    # Why the DOCTYPE check exists: wechatpy's parser (xmltodict) stops at entity
    # declarations only; a DOCTYPE naming an external DTD parses without complaint.
    with pytest.raises(ValueError, match="entities are disabled"):
        xmltodict.parse(BOMB)
    assert xmltodict.parse(DOCTYPE_ONLY) == {"xml": {"A": "1"}}


def test_malformed_xml_nested_fields_and_undefined_entities_are_refused() -> None:
    for bad, reason in (("<xml><Content>半截", "malformed"), ("<xml>&e;</xml>", "malformed"),
                        (f"<xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType>"
                         "<Content><b>x</b></Content></xml>", "plain text")):
        with pytest.raises(WebhookRequestError, match=reason):
            inbound_message(bad)


def test_a_text_a_voice_and_an_event_are_read(wechat) -> None:
    text = inbound_message(wechat.text_xml(OPENID, "你好", msg_id="1234567890123456"))
    assert (text.openid, text.account, text.msg_type, text.text, text.dedupe_key) == (
        OPENID, wechat.account, "text", "你好", "1234567890123456")
    voice = inbound_message(xml_of(wechat, "voice", MediaId="m", Format="amr",
                                   Recognition="我的卡丢了", MsgId="7"))
    assert (voice.msg_type, voice.text) == ("voice", "我的卡丢了")
    click = inbound_message(xml_of(wechat, "event", Event="CLICK", EventKey="MENU_CARD_LOST",
                                   CreateTime="1700000000"))
    assert (click.event, click.event_key) == ("click", "MENU_CARD_LOST")
    assert click.dedupe_key == f"{OPENID}:1700000000:CLICK:MENU_CARD_LOST"


def test_an_oversized_text_is_refused(wechat) -> None:
    with pytest.raises(WebhookRequestError) as refused:
        inbound_message(wechat.text_xml(OPENID, "长" * 1000))
    assert refused.value.status == 413


def test_the_safe_mode_envelope_must_hold_encrypt() -> None:
    with pytest.raises(WebhookRequestError, match="Encrypt"):
        encrypted_part("<xml><ToUserName>gh</ToUserName></xml>")


def test_a_passive_reply_keeps_its_text_whole_even_with_a_cdata_end_inside() -> None:
    inbound = InboundWeChat(OPENID, "gh_1", "text", "1", "hi")
    content = "金额 ]]> <b>&amp;</b>"
    reply = ElementTree.fromstring(text_reply_xml(inbound, content, 1700000000))
    fields = {child.tag: child.text for child in reply}
    assert fields == {"ToUserName": OPENID, "FromUserName": "gh_1", "CreateTime": "1700000000",
                      "MsgType": "text", "Content": content}
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"


# --- what a message asks for --------------------------------------------------------------------


@pytest.mark.parametrize("inbound, text, polite", [
    (InboundWeChat(OPENID, "gh", "text", "1", text="你好"), "你好", None),
    (InboundWeChat(OPENID, "gh", "text", "1", text="  "), None, "empty"),
    (InboundWeChat(OPENID, "gh", "voice", "1", text="hello"), "hello", None),
    (InboundWeChat(OPENID, "gh", "voice", "1", text=""), None, "unsupported"),
    (InboundWeChat(OPENID, "gh", "image", "1"), None, "unsupported"),
    (InboundWeChat(OPENID, "gh", "event", "k", event="subscribe"), "/greet", None),
    (InboundWeChat(OPENID, "gh", "event", "k", event="subscribe_scan"), "/greet", None),
    (InboundWeChat(OPENID, "gh", "event", "k", event="click", event_key="MENU_CARD_LOST"),
     "/card_lost", None),
    (InboundWeChat(OPENID, "gh", "event", "k", event="click", event_key="NOPE"), None, "menu"),
    (InboundWeChat(OPENID, "gh", "event", "k", event="unsubscribe"), None, None),
    (InboundWeChat(OPENID, "gh", "event", "k", event="view"), None, None),
])
def test_each_kind_of_message_has_its_plan(inbound, text, polite) -> None:
    plan = plan_for(inbound, MENU)
    assert (plan.text, plan.polite) == (text, polite)
    assert plan.reason or plan.text


# --- passive replies and the API ------------------------------------------------------------------


def test_messages_are_joined_into_one_passive_reply_unless_too_long() -> None:
    assert joined(["一", " ", "二"]) == "一" + JOINER + "二"
    assert joined([]) is None
    assert joined(["长" * 700]) is None  # 2100 bytes: more than one message holds


def test_long_texts_are_split_within_wechat_s_limit_after_a_line() -> None:
    text = "\n".join(["第一行" * 100, "第二行" * 100, "第三行" * 100])
    parts = split_text(text)
    assert all(len(part.encode()) <= MAX_TEXT_BYTES for part in parts)
    assert "\n".join(parts) == text and len(parts) == 2  # cut after the second line
    assert split_text("short") == ["short"] and split_text("  ") == []


def test_openids_are_logged_shortened() -> None:
    assert mask_openid(OPENID) == "oUpF…eS6o" and OPENID not in mask_openid(OPENID)


class RecordingSender:
    def __init__(self) -> None:
        self.sent: List[Tuple[str, str]] = []
        self.release = asyncio.Event()

    async def send_text(self, openid: str, content: str) -> None:
        await self.release.wait()
        self.sent.append((openid, content))


async def test_a_turn_collects_then_hands_everything_to_the_api_in_order(redis_url) -> None:
    client = aioredis.Redis.from_url(redis_url)
    sender = RecordingSender()
    turn = TurnOutput(sender, ChoiceMemory(lambda: client, "test:choices:{customer}"), OPENID)
    await turn.send_text_message(OPENID, "一")
    await turn.send_text_with_buttons(OPENID, "选哪个？", [{"title": "甲", "payload": "/a"}])
    turn.switch_to_api()  # the 5 s are up
    later = asyncio.create_task(turn.send_text_message(OPENID, "三"))
    sender.release.set()
    await later
    await turn.drained()
    assert sender.sent == [(OPENID, "一"), (OPENID, "选哪个？\n1. 甲"), (OPENID, "三")]
    assert turn.take_passive() is None
    assert await ChoiceMemory(lambda: client, "test:choices:{customer}").take(OPENID) == ["/a"]
    await client.close()


async def test_a_quick_turn_gives_one_passive_reply() -> None:
    sender = RecordingSender()
    turn = TurnOutput(sender, None, OPENID)
    await turn.send_text_message(OPENID, "您好")
    await turn.send_text_message(OPENID, "请问有什么可以帮您？")
    assert turn.take_passive() == "您好" + JOINER + "请问有什么可以帮您？"
    assert sender.sent == []


async def test_the_api_fetches_a_token_keeps_it_and_renews_it_when_refused(
        wechat, redis_url) -> None:
    client = aioredis.Redis.from_url(redis_url)
    tokens = AccessTokens(wechat.base_url, wechat.app_id, wechat.app_secret, lambda: client)
    api = CustomerServiceApi(wechat.base_url, tokens)
    await api.send_text(OPENID, "第一条")
    await api.send_text(OPENID, "second")
    assert wechat.token_requests == 1  # kept in Redis between messages
    assert 6000 < await client.ttl(tokens.key) <= 6900  # refreshed 5 minutes early
    wechat.expire_tokens()  # 42001 on next use
    await api.send_text(OPENID, "第三条")
    assert wechat.token_requests == 2
    await client.set(tokens.key, "never-issued")  # 40001
    await api.send_text(OPENID, "fourth")
    assert wechat.sent_to(OPENID) == ["第一条", "second", "第三条", "fourth"]
    await client.close()


async def test_a_wrong_secret_is_reported_with_wechat_s_errcode(wechat, redis_url) -> None:
    client = aioredis.Redis.from_url(redis_url)
    tokens = AccessTokens(wechat.base_url, wechat.app_id, "wrong", lambda: client)
    with pytest.raises(WeChatNotSent) as refused:
        await CustomerServiceApi(wechat.base_url, tokens).send_text(OPENID, "x")
    assert refused.value.errcode == 40125 and wechat.sent_to(OPENID) == []
    await client.close()


# --- held until handled; replayed through the API when the process that took it died ----------


class ApiRecorder:
    """The customer-service API: what the channel sent after the passive window."""

    def __init__(self) -> None:
        self.sent: List[Tuple[str, str]] = []

    async def send_text(self, openid: str, content: str) -> None:
        self.sent.append((openid, content))


@pytest.fixture
async def channel(redis_url, wechat) -> AsyncIterator[WeChatInput]:
    settings_ = WeChatSettings(token=wechat.token, app_id=None, app_secret=None, aes_key=None,
                               api_base=wechat.base_url, redis_url=redis_url, outbox=None)
    opened = WeChatInput(settings_, sender=ApiRecorder())
    yield opened
    await opened.state.close()


async def _answering_bot(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, "您好")


async def test_a_message_for_the_bot_is_held_while_handled_and_then_released(
        channel, wechat, redis_client) -> None:
    msg_id = wechat.next_msg_id()
    key = f"kefu:inbox:wechat:{msg_id}"
    held_while_handled: List[bool] = []

    async def bot(message: UserMessage) -> None:
        held_while_handled.append(bool(redis_client.exists(key)))
        await _answering_bot(message)

    request = SimpleNamespace(body=wechat.text_xml(OPENID, "你好", msg_id).encode(),
                              args=wechat.query(), app=None)
    reply = await channel.receive(request, bot)
    assert "您好" in reply.body.decode()  # the passive reply
    assert held_while_handled == [True]
    assert not redis_client.exists(key) and redis_client.zcard("kefu:inbox:wechat") == 0


async def test_a_message_held_by_a_dead_process_is_replayed_and_answered_through_the_api(
        channel, wechat, redis_client, caplog) -> None:
    msg_id = wechat.next_msg_id()
    inbound = InboundWeChat(openid=OPENID, account=wechat.account, msg_type="text",
                            dedupe_key=msg_id, text="你好")
    dead = Inbox(lambda: channel.state.client, "wechat", owner="dead-process")
    assert await dead.hold_first_delivery(msg_id, asdict(inbound),
                                          f"kefu:wechat:seen:{msg_id}", 3600)
    got: List[Any] = []

    async def bot(message: UserMessage) -> None:
        got.append(message)
        await _answering_bot(message)

    keeper = channel.inbox_keeper(bot)
    with caplog.at_level(logging.INFO, logger="bot.channels.wechat"):
        await keeper.sweep()
        await channel.queues.drain()
        await keeper.sweep()  # released: not replayed again
        await channel.queues.drain()
    [message] = got
    assert (message.text, message.sender_id, message.message_id) == (
        "你好", f"wechat:{OPENID}", msg_id)
    assert channel.sender.sent == [(OPENID, "您好")]  # the API: no webhook waits for it
    assert redis_client.zcard("kefu:inbox:wechat") == 0
    [line] = [r.getMessage() for r in caplog.records if "wechat.replayed" in r.message]
    assert line.startswith(f"wechat.replayed openid=oUpF…eS6o key={msg_id} replay=1/")
    assert OPENID not in line
