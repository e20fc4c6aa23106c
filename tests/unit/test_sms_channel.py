"""The SMS channel without Rasa: segmentation, signatures, duplicates, STOP/START/HELP, numbered
choices and bad requests, on a real Redis with a recording gateway (the live server is
exercised in tests/integration/test_sms.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import UserMessage
from twilio.request_validator import RequestValidator

from bot.channels.inbox import MAX_REPLAYS, Inbox
from bot.channels.rest import WebhookRequestError
from bot.channels.sms import (
    EMPTY_TWIML,
    HELP_TEXTS,
    OPTED_IN_TEXT,
    OPTED_OUT_TEXT,
    InboundSms,
    SenderQueues,
    SmsInput,
    SmsSettings,
    check_signature,
    choice_payloads,
    chosen_payload,
    inbound_message,
    keyword_of,
    numbered_choices,
    read_form,
)
from bot.channels.sms_delivery import OPTED_OUT_KEY
from bot.channels.sms_gateway import SmsNotSent, TwilioGateway
from bot.channels.sms_segments import (
    GSM7,
    UCS2,
    encoding_of,
    segment_count,
    split_sms,
    units,
)
from tests.fakes.twilio import FakeTwilio

WEBHOOK_URL = "https://kefu.example.com/webhooks/sms/webhook"
CUSTOMER = "+8613800138001"


# --- segmentation ---------------------------------------------------------------------------


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "encoding", "sizes"),
    [
        ("a" * 160, GSM7, [160]),
        ("a" * 161, GSM7, [153, 8]),
        ("a" * 306, GSM7, [153, 153]),
        ("你" * 70, UCS2, [70]),
        ("你" * 71, UCS2, [67, 4]),
        # Extension characters take two septets: 80 fit one message, 76 one part.
        ("€" * 80, GSM7, [80]),
        ("€" * 81, GSM7, [76, 5]),
        # One character outside GSM-7 makes the whole text UCS-2.
        ("a" * 69 + "’", UCS2, [70]),
        ("a" * 70 + "’", UCS2, [67, 4]),
    ],
)
def test_parts_follow_the_single_and_concatenated_limits(text, encoding, sizes) -> None:
    assert encoding_of(text) is encoding
    parts = split_sms(text)
    assert [len(part) for part in parts] == sizes
    assert "".join(parts) == text
    assert segment_count(text) == len(sizes)


def test_an_extension_character_is_never_cut_at_the_end_of_a_part() -> None:
    text = "a" * 152 + "€" + "b" * 10  # the € would need septets 153 and 154
    first, second = split_sms(text)
    assert units(first, GSM7) == 152 and first == "a" * 152
    assert second == "€" + "b" * 10


def test_a_surrogate_pair_is_never_cut() -> None:
    assert split_sms("😀" * 35) == ["😀" * 35]  # 70 UTF-16 units: one message
    text = "你" * 66 + "😀" + "你" * 10  # the emoji would need units 67 and 68
    first, second = split_sms(text)
    assert first == "你" * 66 and second == "😀" + "你" * 10
    # A pair that reached us as two code points is still one character.
    joined = split_sms("你" * 66 + "\ud83d\ude00" + "你" * 10)
    assert joined == [first, second]


def test_combined_emoji_and_accents_stay_whole() -> None:
    family = "👩\u200d👩\u200d👧\u200d👦"  # one picture, eleven UTF-16 units
    text = "你" * 60 + family + "你" * 20
    first, second = split_sms(text)
    assert first == "你" * 60 and second.startswith(family)
    accented = "e\u0301"
    first, second = split_sms("a" * 66 + accented + "’" * 5)
    assert first == "a" * 66 and second.startswith(accented)


def test_long_replies_are_cut_between_words_and_after_chinese_punctuation() -> None:
    english = ("Please freeze or report the card as lost right away in the mobile app under "
               "Card management, so that no one else can use it. If you cannot log in to the "
               "app, say talk to a person.")
    parts = split_sms(english)
    assert len(parts) == 2 and all(units(p, GSM7) <= 153 for p in parts)
    assert " ".join(parts) == english and not parts[1].startswith(" ")
    chinese = "请您立即登录手机银行，在「卡片管理」中对该卡进行冻结或挂失，以免被他人盗用。" * 3
    parts = split_sms(chinese)
    assert all(part.endswith(("。", "，")) for part in parts[:-1])
    assert "".join(parts) == chinese


def test_nothing_to_send_for_empty_text() -> None:
    assert split_sms("") == [] and split_sms("  \n") == [] and segment_count("") == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    ["a", " ", "\n", "€", "[", "你", "，", "。", "😀", "é", "\u0301", "\u200d", "👍", "🏽", "’"]),
    max_size=400))
def test_every_part_fits_and_nothing_is_lost(text: str) -> None:
    parts = split_sms(text)
    encoding = encoding_of(text)
    if units(text, encoding) <= encoding.single_limit:
        assert parts == ([text] if text.strip() else [])
        return
    for part in parts:
        assert part and units(part, encoding) <= encoding.part_limit
        assert _utf16_units(part) == units(part, UCS2)  # no lone surrogate
        part.encode("utf-8")  # raises on a lone surrogate
    squeeze = "".join(char for char in text if not char.isspace())
    assert "".join(char for part in parts for char in part if not char.isspace()) == squeeze


# --- the request: form, signature, fields ------------------------------------------------------


@pytest.fixture(scope="module")
def twilio() -> FakeTwilio:
    # Only its signing and its form are used here; its HTTP server is not started.
    return FakeTwilio(auth_token="unit-test-token")


def test_the_fake_signs_as_the_twilio_library_validates(twilio) -> None:
    fields = twilio.incoming_fields(CUSTOMER, "你好 & hello=1")
    signature = twilio.signature(WEBHOOK_URL, fields)
    assert RequestValidator(twilio.auth_token).validate(WEBHOOK_URL, fields, signature)
    check_signature(RequestValidator(twilio.auth_token), WEBHOOK_URL, fields, signature)


@pytest.mark.parametrize("forgery", ["missing", "other_token", "other_url", "changed_body"])
def test_forged_and_unsigned_requests_are_refused(twilio, forgery: str) -> None:
    fields = twilio.incoming_fields(CUSTOMER, "转账给我")
    signature: Optional[str] = twilio.signature(WEBHOOK_URL, fields)
    if forgery == "missing":
        signature = None
    elif forgery == "other_token":
        signature = FakeTwilio(auth_token="guessed").signature(WEBHOOK_URL, fields)
    elif forgery == "other_url":
        signature = twilio.signature("https://attacker.example/hook", fields)
    else:
        fields = {**fields, "Body": "转账给我 50000"}
    with pytest.raises(WebhookRequestError) as refused:
        check_signature(RequestValidator(twilio.auth_token), WEBHOOK_URL, fields, signature)
    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        (b"From=%2B1&Body=x", "application/json", 415, "Content-Type"),
        (b'{"From": "+8613800138001"}', "application/json", 415, "Content-Type"),
        (b"Body=x", "", 415, "Content-Type"),
        (b"Body=%FF", "application/x-www-form-urlencoded", 400, "UTF-8 form"),
        (b"just text", "application/x-www-form-urlencoded", 400, "UTF-8 form"),
        (b"Body=a&Body=b", "application/x-www-form-urlencoded", 400, "repeated"),
        (b"a%0Ab=1&a%0Ab=2", "application/x-www-form-urlencoded", 400, "'a\\nb' is repeated"),
        (b"Body=" + b"a" * 64 * 1024, "application/x-www-form-urlencoded", 413, "exceeds"),
    ],
)
def test_unusable_bodies_are_refused_with_a_reason(body, content_type, status, reason) -> None:
    with pytest.raises(WebhookRequestError) as refused:
        read_form(body, content_type)
    assert refused.value.status == status and reason in refused.value.reason


def test_twilio_s_own_content_type_with_charset_is_read() -> None:
    fields = read_form(b"Body=%E4%BD%A0%E5%A5%BD&From=%2B8613800138001",
                       "application/x-www-form-urlencoded; charset=UTF-8")
    assert fields == {"Body": "你好", "From": CUSTOMER}


# --- the channel on Redis with a recording gateway ---------------------------------------------


class RecordingGateway:
    def __init__(self) -> None:
        self.sent: List[Tuple[str, str]] = []
        self.refuse: Optional[SmsNotSent] = None

    async def send(self, to: str, body: str) -> Optional[str]:
        if self.refuse is not None:
            raise self.refuse
        self.sent.append((to, body))
        return "SM" + "0" * 32

    def bodies(self, to: str = CUSTOMER) -> List[str]:
        return [body for phone, body in self.sent if phone == to]


class Harness:
    """Texts posted to the channel as Twilio posts them; the 'bot' records what it is given
    and can answer through the message's output channel."""

    def __init__(self, channel: SmsInput, gateway: RecordingGateway, twilio: FakeTwilio) -> None:
        self.channel, self.gateway, self.twilio = channel, gateway, twilio
        self.bot_got: List[UserMessage] = []
        self.answers: Dict[str, Dict[str, Any]] = {}

    async def on_new_message(self, message: UserMessage) -> None:
        self.bot_got.append(message)
        answer = self.answers.get(message.text)
        if answer is not None:
            await message.output_channel.send_response(message.sender_id, dict(answer))

    async def post(self, body: bytes, headers: Dict[str, str]) -> Any:
        request = SimpleNamespace(body=body, headers=headers, url="http://127.0.0.1/x")
        reply = await self.channel.receive(request, self.on_new_message)
        await self.channel.queues.drain()
        return reply

    async def text(self, body: str, sender: str = CUSTOMER,
                   message_sid: Optional[str] = None) -> Any:
        fields = self.twilio.incoming_fields(sender, body, message_sid=message_sid)
        return await self.post_fields(fields)

    async def post_fields(self, fields: Dict[str, str], signature: Optional[str] = None) -> Any:
        return await self.post(urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature or self.twilio.signature(WEBHOOK_URL, fields)})

    def texts_to_bot(self) -> List[str]:
        return [message.text for message in self.bot_got]


@pytest.fixture
async def sms(redis_url, twilio):
    settings_ = SmsSettings(account_sid=None, auth_token=twilio.auth_token, sender=None,
                            base_url="https://api.twilio.com", webhook_url=WEBHOOK_URL,
                            redis_url=redis_url, outbox=None)
    gateway = RecordingGateway()
    channel = SmsInput(settings_, gateway=gateway)
    yield Harness(channel, gateway, twilio)
    await channel.state.close()


async def test_a_signed_text_is_answered_with_empty_twiml_and_reaches_the_bot(sms) -> None:
    reply = await sms.text("你好")
    assert reply.status == 200 and reply.body.decode() == EMPTY_TWIML
    assert reply.content_type.startswith("text/xml")
    [message] = sms.bot_got
    assert (message.text, message.sender_id, message.input_channel) == ("你好", CUSTOMER, "sms")
    assert message.message_id.startswith("SM")
    assert message.output_channel is sms.channel.get_output_channel()


async def test_a_forged_request_gets_403_a_masked_log_line_and_reaches_nobody(sms, caplog) -> None:
    fields = sms.twilio.incoming_fields(CUSTOMER, "你好")
    with caplog.at_level(logging.WARNING, logger="bot.channels.sms"):
        reply = await sms.post_fields(fields, signature="bm90IGEgc2lnbmF0dXJl")
    assert reply.status == 403 and json.loads(reply.body)["error"]
    assert sms.bot_got == [] and sms.gateway.sent == []
    [line] = [r.getMessage() for r in caplog.records if "sms.request_rejected" in r.message]
    assert "status=403" in line and "+86138****8001" in line and CUSTOMER not in line
    # Not even the MessageSid was remembered: a genuine retry would still be processed.
    assert await sms.channel.state.hold_first_delivery(inbound_message(fields))


async def test_a_caller_s_from_field_is_logged_only_as_a_masked_number(sms, caplog) -> None:
    fields = sms.twilio.incoming_fields("+86138\nsms.opted_in from=+86", "你好")
    with caplog.at_level(logging.WARNING, logger="bot.channels.sms"):
        reply = await sms.post_fields(fields, signature="forged")
    assert reply.status == 403
    [line] = [r.getMessage() for r in caplog.records if "sms.request_rejected" in r.message]
    assert line.endswith(f"from=- body_bytes={len(urlencode(fields))}")


async def test_a_repeated_message_sid_is_processed_once(sms, caplog) -> None:
    sms.answers["你好"] = {"text": "您好"}
    with caplog.at_level(logging.INFO, logger="bot.channels.sms"):
        first = await sms.text("你好", message_sid="SM" + "a" * 32)
        retry = await sms.text("你好", message_sid="SM" + "a" * 32)
    assert first.status == retry.status == 200 and retry.body.decode() == EMPTY_TWIML
    assert sms.texts_to_bot() == ["你好"] and sms.gateway.bodies() == ["您好"]
    assert any("sms.duplicate" in r.message for r in caplog.records)


# --- held until handled; replayed when the process that took it died ---------------------------


async def _held_by_a_dead_process(sms: Harness, text: str, sid: str) -> None:
    """What a process that answered Twilio and then died leaves in Redis."""
    dead = Inbox(lambda: sms.channel.state.client, "sms", owner="dead-process")
    inbound = InboundSms(sender=CUSTOMER, text=text, message_sid=sid, to="+15005550006")
    assert await dead.hold_first_delivery(sid, asdict(inbound), f"kefu:sms:seen:{sid}", 3600)


async def test_a_text_is_held_before_the_answer_and_released_once_handled(
        sms, redis_client) -> None:
    held_while_handled: List[bool] = []
    key = "kefu:inbox:sms:SM" + "b" * 32

    async def bot(message: UserMessage) -> None:
        held_while_handled.append(bool(redis_client.exists(key)))

    fields = sms.twilio.incoming_fields(CUSTOMER, "你好", message_sid="SM" + "b" * 32)
    request = SimpleNamespace(body=urlencode(fields).encode(), url="http://127.0.0.1/x", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sms.twilio.signature(WEBHOOK_URL, fields)})
    reply = await sms.channel.receive(request, bot)
    assert reply.status == 200 and redis_client.exists(key)  # held when Twilio is answered
    owner = redis_client.hget(key, "owner").decode()
    assert owner == sms.channel.state.inbox.owner
    await sms.channel.queues.drain()
    assert held_while_handled == [True]
    assert not redis_client.exists(key) and redis_client.zcard("kefu:inbox:sms") == 0


async def test_a_text_whose_handling_failed_is_logged_and_released(sms, redis_client,
                                                                   caplog) -> None:
    async def failing_bot(message: UserMessage) -> None:
        raise RuntimeError("the bot broke")

    sms.on_new_message = failing_bot  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="bot.channels.sms"):
        await sms.text("你好", message_sid="SM" + "c" * 32)
    assert any("sms.processing_failed" in r.message for r in caplog.records)
    assert redis_client.zcard("kefu:inbox:sms") == 0  # not replayed forever


async def test_a_text_held_by_a_dead_process_is_replayed_once_and_answered(
        sms, redis_client, caplog) -> None:
    sid = "SM" + "d" * 32
    await _held_by_a_dead_process(sms, "你好", sid)
    sms.answers["你好"] = {"text": "您好"}
    keeper = sms.channel.inbox_keeper(sms.on_new_message)
    with caplog.at_level(logging.INFO, logger="bot.channels.sms"):
        await keeper.sweep()
        await sms.channel.queues.drain()
        await keeper.sweep()  # released: nothing to replay again
        await sms.channel.queues.drain()
        retry = await sms.text("你好", message_sid=sid)  # and Twilio's retry is still refused
    assert retry.status == 200
    [message] = sms.bot_got
    assert (message.text, message.sender_id, message.message_id) == ("你好", CUSTOMER, sid)
    assert sms.gateway.bodies() == ["您好"]
    assert redis_client.zcard("kefu:inbox:sms") == 0
    [line] = [r.getMessage() for r in caplog.records if "sms.replayed" in r.message]
    assert line.startswith(f"sms.replayed from=+86138****8001 sid={sid} replay=1/{MAX_REPLAYS}")


async def test_a_text_replayed_too_often_is_dropped_with_a_masked_error_line(
        sms, redis_client, caplog) -> None:
    sid = "SM" + "e" * 32
    await _held_by_a_dead_process(sms, "你好", sid)
    redis_client.hset(f"kefu:inbox:sms:{sid}", "replays", MAX_REPLAYS)
    with caplog.at_level(logging.ERROR, logger="bot.channels.sms"):
        await sms.channel.inbox_keeper(sms.on_new_message).sweep()
        await sms.channel.queues.drain()
    assert sms.bot_got == [] and redis_client.zcard("kefu:inbox:sms") == 0
    [line] = [r.getMessage() for r in caplog.records if "sms.dropped" in r.message]
    assert line == (f"sms.dropped from=+86138****8001 sid={sid} replays={MAX_REPLAYS} "
                    "reason=replayed_too_often")


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"From": None}, 400, "'From' is required"),
        ({"From": "13800138001"}, 400, "E.164"),
        ({"Body": None}, 400, "'Body' is required"),
        ({"Body": "长" * 1601}, 413, "'Body' exceeds"),
        ({"MessageSid": None}, 400, "'MessageSid'"),
    ],
)
async def test_signed_but_unusable_texts_get_a_4xx_and_store_nothing(
        sms, redis_client, caplog, change, status, reason) -> None:
    await sms.channel.state.opt_out("+15550000001")  # something stored, to see it survive
    fields = {name: value for name, value in
              {**sms.twilio.incoming_fields(CUSTOMER, "你好"), **change}.items()
              if value is not None}
    with caplog.at_level(logging.WARNING, logger="bot.channels.sms"):
        reply = await sms.post_fields(fields)
    assert reply.status == status and reason in json.loads(reply.body)["error"]
    assert sms.bot_got == []
    assert {key.decode() for key in redis_client.keys("*")} == {OPTED_OUT_KEY}
    assert any(f"status={status}" in r.getMessage() for r in caplog.records)


async def test_json_and_oversized_bodies_are_refused_before_reading(sms) -> None:
    reply = await sms.post(json.dumps({"From": CUSTOMER, "Body": "hi"}).encode(),
                           {"Content-Type": "application/json"})
    assert reply.status == 415
    reply = await sms.post(b"Body=" + b"x" * 70_000,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 413 and sms.bot_got == []


async def test_without_an_auth_token_the_webhook_refuses_everything(redis_url, twilio) -> None:
    channel = SmsInput(SmsSettings(None, None, None, "https://api.twilio.com", WEBHOOK_URL,
                                   redis_url, None), gateway=RecordingGateway())
    harness = Harness(channel, RecordingGateway(), twilio)
    reply = await harness.text("你好")
    assert reply.status == 503 and harness.bot_got == []
    await channel.state.close()


# --- STOP, START, HELP -------------------------------------------------------------------------


async def test_stop_opts_out_with_one_confirmation_and_then_nothing_is_sent(sms) -> None:
    output = sms.channel.get_output_channel()
    await sms.text("STOP")
    assert sms.gateway.bodies() == [OPTED_OUT_TEXT["en"]]
    assert await sms.channel.state.is_opted_out(CUSTOMER)
    await sms.text("stop")  # again: no second confirmation
    sms.answers["你好"] = {"text": "您好"}
    await sms.text("你好")  # still given to the bot (recorded), but its answer is not sent
    await output.send_text_message(CUSTOMER, "an agent's reply")
    await output.send_response(CUSTOMER, {"text": "工单已处理", "buttons": [
        {"title": "接受", "payload": "/affirm"}]})
    assert sms.gateway.bodies() == [OPTED_OUT_TEXT["en"]]
    assert sms.texts_to_bot() == ["你好"]
    # Choices that were never sent are not remembered.
    assert await sms.channel.state.take_choices(CUSTOMER) == []


async def test_start_resubscribes_and_help_is_answered_in_both_languages(sms) -> None:
    await sms.text("退订")
    await sms.text("帮助")  # answered even while opted out, as carriers require
    await sms.text("订阅")
    await sms.channel.get_output_channel().send_text_message(CUSTOMER, "您好")
    assert sms.gateway.bodies() == [OPTED_OUT_TEXT["zh"], *HELP_TEXTS, OPTED_IN_TEXT["zh"], "您好"]
    assert sms.bot_got == []


async def test_keywords_are_whole_messages_and_start_only_matters_when_opted_out(sms) -> None:
    await sms.text("stop sending me these")
    await sms.text("yes")
    await sms.text("start")
    assert sms.texts_to_bot() == ["stop sending me these", "yes", "start"]
    assert sms.gateway.sent == []
    await sms.text(" Stop. ")
    await sms.text("ＳＴＡＲＴ")  # full-width, as Chinese keyboards may type it
    assert sms.gateway.bodies() == [OPTED_OUT_TEXT["en"], OPTED_IN_TEXT["en"]]


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [("STOP", "stop", "en"), ("Unsubscribe", "stop", "en"), ("TD", "stop", "zh"),
     ("退订", "stop", "zh"), ("退订。", "stop", "zh"), ("START", "start", "en"),
     ("订阅", "start", "zh"), ("开始", "start", "zh"), ("help", "help", "en"),
     ("INFO", "help", "en"), ("帮助", "help", "zh"), ("帮助我", None, None),
     ("please stop", None, None), ("", None, None)],
)
def test_keywords(text: str, kind: Optional[str], language: Optional[str]) -> None:
    keyword = keyword_of(text)
    assert (keyword and (keyword.kind, keyword.language)) == (kind and (kind, language))


async def test_a_gateway_saying_the_recipient_unsubscribed_opts_the_number_out(sms) -> None:
    sms.gateway.refuse = SmsNotSent("gateway answered 400", 400, 21610)
    output = sms.channel.get_output_channel()
    assert await output.deliver(CUSTOMER, "您好") is False
    assert await sms.channel.state.is_opted_out(CUSTOMER)


# --- numbered choices --------------------------------------------------------------------------


BUTTONS = [{"title": "退款或赔偿", "payload": '/inform{"choice": "refund"}'},
           {"title": "更正错误", "payload": '/inform{"choice": "correction"}'},
           {"title": "道歉", "payload": '/inform{"choice": "apology"}'}]


def test_buttons_are_rendered_as_numbered_choices() -> None:
    assert numbered_choices("您希望我们如何处理？", BUTTONS) == (
        "您希望我们如何处理？\n1. 退款或赔偿\n2. 更正错误\n3. 道歉")
    assert numbered_choices(None, BUTTONS[:1]) == "1. 退款或赔偿"


def test_buttons_numbered_by_their_titles_are_answered_by_those_numbers() -> None:
    """The satisfaction score: "5" is "5 非常满意", not the fifth button (1 非常不满意)."""
    scores = [{"title": f"{score} {label}", "payload": f'/inform{{"choice": "{score}"}}'}
              for score, label in ((5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"),
                                   (1, "非常不满意"))]
    assert numbered_choices("请您打分", scores) == (
        "请您打分\n5 非常满意\n4 满意\n3 一般\n2 不满意\n1 非常不满意")
    payloads = choice_payloads(scores)
    assert chosen_payload("5", payloads) == '/inform{"choice": "5"}'
    assert chosen_payload("1", payloads) == '/inform{"choice": "1"}'
    # Titles that merely start with numbers, not 1…n, are numbered as usual.
    amounts = [{"title": "10 元", "payload": "a"}, {"title": "20 元", "payload": "b"}]
    assert numbered_choices(None, amounts) == "1. 10 元\n2. 20 元"
    assert choice_payloads(amounts) == ["a", "b"]


@pytest.mark.parametrize(("reply", "chosen"), [
    ("2", '/inform{"choice": "correction"}'), (" 3 ", '/inform{"choice": "apology"}'),
    ("１", '/inform{"choice": "refund"}'), ("2.", '/inform{"choice": "correction"}'),
    ("4", None), ("0", None), ("12", None), ("二", None), ("2 please", None)])
def test_a_number_picks_a_choice(reply: str, chosen: Optional[str]) -> None:
    payloads = [button["payload"] for button in BUTTONS]
    assert chosen_payload(reply, payloads) == chosen


async def test_a_numbered_reply_is_given_to_the_bot_as_the_button_s_payload(sms) -> None:
    sms.answers["尾号1234"] = {"text": "您希望我们如何处理？", "buttons": BUTTONS}
    await sms.text("尾号1234")
    assert sms.gateway.bodies() == ["您希望我们如何处理？\n1. 退款或赔偿\n2. 更正错误\n3. 道歉"]
    await sms.text("2")
    await sms.text("2")  # the choices answered one reply; now "2" is just text
    assert sms.texts_to_bot() == ["尾号1234", '/inform{"choice": "correction"}', "2"]


async def test_choices_are_per_number_and_only_the_last_ones_count(sms) -> None:
    other = "+15550001234"
    output = sms.channel.get_output_channel()
    await output.send_text_with_buttons(CUSTOMER, "A?", BUTTONS[:1])
    await output.send_text_with_buttons(CUSTOMER, "B?", BUTTONS[1:])
    await sms.text("1", sender=other)
    await sms.text("1")
    assert sms.texts_to_bot() == ["1", '/inform{"choice": "correction"}']


async def test_a_long_reply_goes_out_in_parts_in_order(sms) -> None:
    long_reply = "请您立即登录手机银行，在「卡片管理」中对该卡进行冻结或挂失，以免被他人盗用。" * 4
    assert await sms.channel.get_output_channel().deliver(CUSTOMER, long_reply)
    assert sms.gateway.bodies() == split_sms(long_reply)
    assert len(sms.gateway.bodies()) > 1


# --- ordering and the gateway ------------------------------------------------------------------


async def test_one_sender_s_messages_are_handled_in_order_others_are_not_held_up() -> None:
    queues, order = SenderQueues(), []
    first_may_finish = asyncio.Event()

    async def work(name: str, wait: Optional[asyncio.Event] = None) -> None:
        if wait is not None:
            await wait.wait()
        order.append(name)
        if name == "b-1":
            first_may_finish.set()  # another sender got through while a-1 was waiting

    queues.submit("a", work("a-1", first_may_finish))
    queues.submit("a", work("a-2"))
    queues.submit("b", work("b-1"))
    await queues.drain()
    assert order == ["b-1", "a-1", "a-2"]


def test_settings_choose_twilio_the_outbox_or_nothing(tmp_path) -> None:
    twilio_env = {"KEFU_TWILIO_ACCOUNT_SID": "AC1", "KEFU_TWILIO_AUTH_TOKEN": "t",
                  "KEFU_TWILIO_FROM": "+15005550006", "KEFU_TWILIO_BASE_URL": "http://gw/"}
    gateway = SmsSettings.from_environment(twilio_env).gateway()
    assert isinstance(gateway, TwilioGateway) and gateway.base_url == "http://gw"
    outbox = SmsSettings.from_environment({"KEFU_SMS_OUTBOX": str(tmp_path / "o.jsonl")})
    assert type(outbox.gateway()).__name__ == "OutboxGateway"
    assert SmsSettings.from_environment({}).gateway() is None
    assert SmsSettings.from_environment({}).base_url == "https://api.twilio.com"


async def test_the_gateway_speaks_the_messages_api() -> None:
    with FakeTwilio() as fake:
        gateway = TwilioGateway(fake.base_url, fake.account_sid, fake.auth_token, fake.sender)
        sid = await gateway.send(CUSTOMER, "您好😀")
        [sent] = fake.sent_to(CUSTOMER)
        assert (sent.body, sent.sender, sent.sid) == ("您好😀", fake.sender, sid)
        fake.outage = [503, 503]  # retried: the gateway did not take the message
        await gateway.send(CUSTOMER, "第二条")
        assert [m.body for m in fake.sent_to(CUSTOMER)] == ["您好😀", "第二条"]
        fake.outage = [503, 503, 503]  # three attempts in all, then given up
        with pytest.raises(SmsNotSent) as refused:
            await gateway.send(CUSTOMER, "第三条")
        assert refused.value.status == 503 and fake.outage == []
        fake.outage = [500]  # not retried: the gateway may have taken it
        with pytest.raises(SmsNotSent):
            await gateway.send(CUSTOMER, "第四条")
        assert fake.outage == [] and len(fake.sent_to(CUSTOMER)) == 2
        wrong = TwilioGateway(fake.base_url, fake.account_sid, "wrong", fake.sender)
        with pytest.raises(SmsNotSent) as refused:
            await wrong.send(CUSTOMER, "x")
        assert (refused.value.status, refused.value.code) == (401, 20003)


async def test_outbox_lines_name_the_channel(tmp_path) -> None:
    outbox = SmsSettings.from_environment({"KEFU_SMS_OUTBOX": str(tmp_path / "o.jsonl")})
    sid = await outbox.gateway().send(CUSTOMER, "您好")
    line = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert line == {"to": CUSTOMER, "body": "您好", "channel": "sms", "sid": sid}

