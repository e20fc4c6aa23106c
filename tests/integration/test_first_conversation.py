"""A zh and an en conversation through the real Rasa server, action server and handoff service."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from handoff.keys import QUEUE_KEY, conversation_key
from tests.bilingual import response_text

# An agent on a break: handed-over conversations wait in the queue (no callback offer).
pytestmark = pytest.mark.usefixtures("someone_on_shift")

def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _queued_pattern(language: str) -> re.Pattern[str]:
    template = response_text("utter_handoff_queued_no_estimate", language, queue_position="@")
    return re.compile(re.escape(template).replace("@", r"(\d+)"))


def test_chinese_conversation_ends_in_a_paused_handoff(stack) -> None:
    sender = _sender("zh")
    assert stack.say(sender, "你好") == [response_text("utter_greet", "zh")]
    assert stack.say(sender, "你是机器人吗") == [response_text("utter_iamabot", "zh")]
    assert stack.say(sender, "谢谢") == [response_text("utter_you_are_welcome", "zh")]

    [queued] = stack.say(sender, "我要转人工")
    match = _queued_pattern("zh").fullmatch(queued)
    assert match, queued

    tracker = stack.tracker_in_redis(sender)
    assert tracker["events"][-1]["event"] == "pause"
    assert stack.tracker_via_api(sender)["slots"]["language"] == "zh"
    request = json.loads(stack.redis.hget(conversation_key(sender), "request"))
    assert request["language"] == "zh" and request["reason"] == "customer_request"
    assert request["channel"] == "rest"
    customer_lines = [line["text"] for line in request["transcript"] if line["role"] == "customer"]
    assert customer_lines == ["你好", "你是机器人吗", "谢谢", "我要转人工"]
    assert stack.redis.zrank(QUEUE_KEY, sender) == int(match.group(1)) - 1

    # While paused the bot stays quiet, but the message is recorded and streamed for the agent.
    assert stack.say(sender, "请快一点，谢谢") == []
    stored_events = stack.tracker_in_redis(sender)["events"]
    assert [e["text"] for e in stored_events if e["event"] == "user"][-1] == "请快一点，谢谢"
    streamed = [e for e in stack.stream_events(sender) if e["event"] == "user"]
    assert [e["text"] for e in streamed][-2:] == ["我要转人工", "请快一点，谢谢"]


def test_english_conversation_ends_in_a_paused_handoff(stack) -> None:
    sender = _sender("en")
    assert stack.say(sender, "hello") == [response_text("utter_greet", "en")]
    assert stack.say(sender, "are you a bot?") == [response_text("utter_iamabot", "en")]
    assert stack.say(sender, "thanks a lot") == [response_text("utter_you_are_welcome", "en")]
    [queued] = stack.say(sender, "talk to a person")
    assert _queued_pattern("en").fullmatch(queued), queued

    tracker = stack.tracker_in_redis(sender)
    assert tracker["events"][-1]["event"] == "pause"
    assert stack.tracker_via_api(sender)["slots"]["language"] == "en"
    assert tracker["events"][-1]["event"] == "pause"
    request = json.loads(stack.redis.hget(conversation_key(sender), "request"))
    assert request["language"] == "en"
    assert request["intents"][-1] == "human_handoff"
    events = [e["event"] for e in stack.stream_events(sender)]
    assert {"user", "bot", "pause"} <= set(events)


def test_the_reply_follows_the_customer_switching_language(stack) -> None:
    sender = _sender("mixed")
    assert stack.say(sender, "hello") == [response_text("utter_greet", "en")]
    assert stack.say(sender, "谢谢") == [response_text("utter_you_are_welcome", "zh")]
    assert stack.say(sender, "bye") == [
        response_text("utter_goodbye", "en"), response_text("utter_ask_csat_score", "en")
    ]


def test_out_of_scope_gets_a_polite_answer_in_each_language(stack) -> None:
    out_of_scope_zh = response_text("utter_out_of_scope", "zh")
    assert stack.say(_sender("oos"), "给我讲个笑话吧") == [out_of_scope_zh]
    assert stack.say(_sender("oos"), "tell me a joke please") == [
        response_text("utter_out_of_scope", "en")
    ]


def test_bad_webhook_input_gets_a_4xx_and_stored_conversations_survive(stack) -> None:
    sender = _sender("bad")
    assert stack.say(sender, "你好") == [response_text("utter_greet", "zh")]
    before = stack.tracker_in_redis(sender)["events"]

    assert stack.post_webhook(b"this is not json").status_code == 400
    assert stack.post_webhook({"message": "hello"}).status_code == 400
    assert stack.post_webhook({"sender": sender, "message": ""}).status_code == 400
    huge = stack.post_webhook({"sender": sender, "message": "x" * 1_000_000})
    assert huge.status_code == 413
    assert "exceeds" in huge.json()["error"]

    assert stack.tracker_in_redis(sender)["events"] == before
    assert stack.say(sender, "谢谢") == [response_text("utter_you_are_welcome", "zh")]


def test_the_rasa_api_needs_the_token(stack) -> None:
    url = f"{stack.rasa_url}/conversations/anyone/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    token = stack.environment["KEFU_RASA_TOKEN"]
    assert requests.get(url, params={"token": token}, timeout=10).status_code == 200


def test_the_handoff_api_refuses_callers_without_the_service_token(stack) -> None:
    reply = requests.post(f"{stack.handoff_url}/api/v1/handoffs", json={}, timeout=10)
    assert reply.status_code == 401


def test_logs_and_the_agent_context_mask_personal_numbers(stack) -> None:
    sender = _sender("pii")
    stack.say(sender, "我的手机13812345678，卡号6222021234567890123")
    stack.say(sender, "转人工")
    log = stack.log_path.read_text(errors="replace")
    assert "138****5678" in log  # Rasa logged the message (DEBUG), masked
    assert "13812345678" not in log and "6222021234567890123" not in log
    request = json.loads(stack.redis.hget(conversation_key(sender), "request"))
    first_line = request["transcript"][0]["text"]
    assert first_line == "我的手机138****5678，卡号***************0123"


def test_a_stolen_card_gets_safety_steps_then_an_urgent_handoff(stack) -> None:
    sender = _sender("stolen")
    replies = stack.say(sender, "my wallet was stolen with my debit card in it")
    assert replies[0] == response_text("utter_card_stolen_safety", "en")
    assert _queued_pattern("en").fullmatch(replies[1]), replies
    request = json.loads(stack.redis.hget(conversation_key(sender), "request"))
    assert (request["reason"], request["priority"]) == ("stolen_card", "urgent")
    assert stack.tracker_in_redis(sender)["events"][-1]["event"] == "pause"
