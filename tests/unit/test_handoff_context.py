from __future__ import annotations

import json

from actions.handoff import handoff_priority, handoff_reason
from actions.handoff_context import SUMMARY_MAX_CHARS, build_handoff_context

EVENTS = [
    {"event": "action", "name": "action_listen"},
    {
        "event": "user",
        "text": "你好",
        "timestamp": 1.0,
        "parse_data": {"intent": {"name": "greet", "confidence": 0.9}},
    },
    {"event": "bot", "text": "您好，请问有什么可以帮您？", "timestamp": 2.0},
    {"event": "user", "text": "我要转人工", "timestamp": 3.0, "parse_data": {"intent": {}}},
    {"event": "user", "text": "", "timestamp": 4.0},
]


def test_context_carries_transcript_intents_and_summary() -> None:
    context = build_handoff_context(
        conversation_id="c-1",
        channel="rest",
        language="zh",
        reason="customer_request",
        events=EVENTS,
        entities=[],
    )
    assert [(line["role"], line["text"]) for line in context["transcript"]] == [
        ("customer", "你好"),
        ("bot", "您好，请问有什么可以帮您？"),
        ("customer", "我要转人工"),
    ]
    assert context["intents"] == ["greet"]
    # The reason is its own field, shown translated: the summary is the customer's words.
    assert context["summary"] == "你好 / 我要转人工"


def test_summary_is_bounded() -> None:
    events = [{"event": "user", "text": "长" * 500, "timestamp": 1.0}]
    context = build_handoff_context(
        conversation_id="c-1", channel="rest", language="zh", reason="x", events=events, entities=[]
    )
    assert len(context["summary"]) == SUMMARY_MAX_CHARS


def test_reason_and_priority_follow_the_latest_intent() -> None:
    assert handoff_reason("human_handoff") == "customer_request"
    assert handoff_reason("fraud_report") == "fraud"
    assert handoff_reason("card_stolen") == "stolen_card"
    assert handoff_reason("greet") == "bot_request"
    assert handoff_reason(None) == "bot_request"
    assert handoff_priority("fraud") == handoff_priority("stolen_card") == "urgent"
    assert handoff_priority("complaint") == "normal"


def test_transcript_reaches_the_agent_with_card_numbers_masked() -> None:
    events = [{"event": "user", "text": "卡号6222021234567890123被盗刷了", "timestamp": 1.0}]
    context = build_handoff_context(
        conversation_id="c-1", channel="rest", language="zh", reason="x", events=events, entities=[]
    )
    assert context["transcript"][0]["text"] == "卡号***************0123被盗刷了"
    assert "6222021234567890123" not in context["summary"]


def test_the_agent_reads_a_clicked_button_s_title_and_never_the_one_time_code() -> None:
    events = [
        {"event": "bot", "text": "请输入验证码。", "timestamp": 1.0},
        {"event": "user", "text": "855286", "timestamp": 2.0},
        {"event": "bot", "text": "暂时没有空闲的客服。", "timestamp": 3.0, "data": {"buttons": [
            {"title": "请回电", "payload": '/inform{"choice": "callback"}'},
            {"title": "继续等候", "payload": '/inform{"choice": "wait"}'}]}},
        {"event": "user", "text": '/inform{"choice": "wait"}', "timestamp": 4.0},
        {"event": "user", "text": '/inform{"choice": "wait"}', "timestamp": 5.0},
    ]
    context = build_handoff_context(
        conversation_id="c-1", channel="rest", language="zh", reason="x", events=events, entities=[]
    )
    assert [line["text"] for line in context["transcript"] if line["role"] == "customer"] == [
        "******", "继续等候", "继续等候"]  # clicked twice: the buttons were still there
    assert "855286" not in context["summary"]


WHICH_ONE = [
    {"event": "user", "text": "还款晚了两天会怎样", "timestamp": 1.0,
     "parse_data": {"intent": {"name": "nlu_fallback"}}},
    {"event": "bot", "text": "您想办理的是以下哪一项？", "timestamp": 2.0, "data": {"buttons": [
        {"title": "信用卡还款", "payload": "/credit_card_repayment"},
        {"title": "贷款还款", "payload": "/loan_repayment"},
        {"title": "都不是", "payload": "/nlu_fallback"}]}},
    # A second message in the same turn: the buttons above are still there to click.
    {"event": "bot", "text": "也可以直接描述您的问题。", "timestamp": 2.5},
    {"event": "user", "text": "/nlu_fallback", "timestamp": 3.0,
     "parse_data": {"intent": {"name": "nlu_fallback"}}},
    {"event": "bot", "text": "抱歉，我没能理解，请换个说法。", "timestamp": 4.0},
    {"event": "user", "text": "/card_lost", "timestamp": 5.0},  # typed: nothing offered it
]


def test_the_agent_sees_the_choices_offered_and_a_click_as_its_title() -> None:
    transcript = build_handoff_context(
        conversation_id="c-1", channel="socketio", language="zh", reason="repeated_fallback",
        events=WHICH_ONE, entities=[])["transcript"]
    assert [(line["role"], line["text"], line.get("choices"), line.get("clicked"))
            for line in transcript] == [
        ("customer", "还款晚了两天会怎样", None, False),
        ("bot", "您想办理的是以下哪一项？", ["信用卡还款", "贷款还款", "都不是"], None),
        ("bot", "也可以直接描述您的问题。", [], None),
        ("customer", "都不是", None, True),
        ("bot", "抱歉，我没能理解，请换个说法。", [], None),
        ("customer", "/card_lost", None, False),
    ]
    assert transcript[3]["intent"] == "nlu_fallback"  # the click's meaning stays beside it


def test_offered_titles_reach_the_agent_masked() -> None:
    events = [{"event": "bot", "text": "请确认联系电话", "timestamp": 1.0, "data": {"buttons": [
        {"title": "是，13800138001", "payload": "/affirm"}]}},
        {"event": "user", "text": "/affirm", "timestamp": 2.0}]
    transcript = build_handoff_context(
        conversation_id="c-1", channel="rest", language="zh", reason="x", events=events,
        entities=[])["transcript"]
    assert "13800138001" not in json.dumps(transcript, ensure_ascii=False)
    assert transcript[1]["clicked"] is True
