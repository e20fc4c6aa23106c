"""Escalation through the real servers: the feeling acknowledged, then a hand-over with the
reason, priority and emotion trajectory the agent will see."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from handoff.keys import conversation_key
from tests.bilingual import response_text

# An agent on a break: handed-over conversations wait in the queue (no callback offer).
pytestmark = pytest.mark.usefixtures("someone_on_shift")

def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _queued(language: str) -> re.Pattern[str]:
    template = response_text("utter_handoff_queued_no_estimate", language, queue_position="@")
    return re.compile(re.escape(template).replace("@", r"\d+"))


def _request(stack, sender: str) -> dict:
    return json.loads(stack.redis.hget(conversation_key(sender), "request"))


def test_an_angry_customer_is_acknowledged_and_handed_over_with_priority(stack) -> None:
    sender = _sender("zh-angry")
    assert stack.say(sender, "查一下余额")  # calm first
    acknowledged, queued = stack.say(sender, "等了半个小时了！！！你们到底管不管")
    assert acknowledged == response_text("utter_escalate_anger", "zh")
    assert _queued("zh").fullmatch(queued)
    request = _request(stack, sender)
    assert (request["reason"], request["priority"]) == ("anger", "high")
    trajectory = request["emotion_trajectory"]
    assert [point["name"] for point in trajectory] == ["neutral", "angry"]
    assert trajectory[-1]["confidence"] >= 0.8
    assert stack.tracker_via_api(sender)["slots"]["emotion_level"] >= 0.8


def test_a_threat_to_go_to_the_regulator_is_urgent(stack) -> None:
    sender = _sender("en-regulator")
    acknowledged, _ = stack.say(sender, "sort this out or I will take it to the ombudsman")
    assert acknowledged == response_text("utter_escalate_regulator", "en")
    assert _request(stack, sender)["priority"] == "urgent"


def test_bereavement_is_met_with_condolences(stack) -> None:
    sender = _sender("zh-bereaved")
    acknowledged, _ = stack.say(sender, "我父亲上个月去世了，想问他的存款怎么处理")
    assert acknowledged == response_text("utter_escalate_bereavement", "zh")
    assert _request(stack, sender)["reason"] == "bereavement"


def test_two_messages_not_understood_in_a_row_go_to_a_person(stack) -> None:
    sender = _sender("en-lost")
    assert stack.say(sender, "blorp zzkt") == [response_text("utter_default", "en")]
    acknowledged, _ = stack.say(sender, "blorp zzkt qwv")
    assert acknowledged == response_text("utter_escalate_fallback", "en")
    assert _request(stack, sender)["reason"] == "repeated_fallback"


def test_a_card_number_alone_is_asked_about_and_not_escalated(stack) -> None:
    sender = _sender("en-number")
    assert stack.say(sender, "blorp zzkt") == [response_text("utter_default", "en")]
    # Not understood twice in a row by the NLU, but a number is data: no handoff.
    assert stack.say(sender, "6222 0212 3456 7890") == [
        response_text("utter_number_without_request", "en")]


def test_a_polite_complaint_and_a_calm_fraud_question_are_not_escalated(stack) -> None:
    complaint = stack.say(_sender("zh-polite"), "我想投诉一下，你们上次的转账手续费好像多收了")
    assert complaint[0] == response_text("utter_complaint_start", "zh")
    calm = stack.say(_sender("en-calm"), "how can I tell if a text message from you is a scam?")
    assert calm[0] != response_text("utter_escalate_anxiety", "en")
