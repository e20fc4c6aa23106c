"""What the web chat page is sent, and what the channel accepts from it (the live socket
is exercised in tests/integration/test_webchat_socket.py and tests/browser/)."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from bot.channels.webchat import WebChatInput, WebChatOutput, page_headers
from bot.channels.webchat_messages import (
    MAX_HISTORY_MESSAGES,
    MAX_MESSAGE_CHARS,
    bot_messages,
    kefu_metadata,
    message_problem,
    origin_allowed,
    transcript,
    valid_session_id,
)

CATEGORY = [{"title": "银行卡", "payload": '/inform{"choice": "card"}'},
            {"title": "贷款", "payload": '/inform{"choice": "loan"}'}]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"utter_action": "utter_greet"}, {"from": "bot", "handoff": "bot"}),
    ({}, {"from": "bot", "handoff": "bot"}),
    ({"agent_id": "agent-wang", "agent_name": "王晓"},
     {"from": "agent", "handoff": "agent", "agent_name": "王晓"}),
    ({"kefu_notice": "agent_joined", "agent_id": "agent-wang", "agent_name": " 王晓 "},
     {"from": "agent", "handoff": "agent", "agent_name": "王晓"}),
    ({"kefu_notice": "agent_joined", "agent_id": "agent-wang"},
     {"from": "agent", "handoff": "agent"}),
    ({"kefu_notice": "queue_position", "position": 2},
     {"from": "service", "handoff": "waiting", "position": 2}),
    ({"kefu_notice": "agent_left"}, {"from": "service", "handoff": "waiting"}),
    ({"kefu_notice": "transferred"}, {"from": "service", "handoff": "waiting"}),
    ({"kefu_notice": "reassigned"}, {"from": "service", "handoff": "waiting"}),
    ({"utter_action": "utter_handoff_queued", "queue_position": 3, "wait_minutes": 9},
     {"from": "bot", "handoff": "waiting", "position": 3}),
    ({"utter_action": "utter_handoff_no_agents", "queue_position": True},
     {"from": "bot", "handoff": "waiting"}),
])
def test_each_message_says_who_speaks_and_the_handoff_status(fields, expected) -> None:
    assert kefu_metadata(fields) == expected


def test_the_agent_id_is_not_shown_to_the_customer_and_long_names_are_cut() -> None:
    said = kefu_metadata({"agent_id": "agent-wang", "agent_name": "王" * 100})
    assert "agent_id" not in said and len(said["agent_name"]) == 40


def test_paragraphs_are_separate_messages_and_buttons_go_on_the_last() -> None:
    messages = bot_messages("第一段\n\n第二段", CATEGORY, {"utter_action": "utter_x"})
    assert [message["text"] for message in messages] == ["第一段", "第二段"]
    assert "quick_replies" not in messages[0]
    assert messages[1]["quick_replies"] == [
        {"content_type": "text", "title": "银行卡", "payload": '/inform{"choice": "card"}'},
        {"content_type": "text", "title": "贷款", "payload": '/inform{"choice": "loan"}'}]
    assert messages[1]["metadata"] == {"kefu": {"from": "bot", "handoff": "bot"}}


def test_buttons_without_text_are_still_sent() -> None:
    assert bot_messages("", CATEGORY, {})[0]["text"] == ""
    assert bot_messages("  ", None, {}) == []


def test_the_transcript_shows_titles_for_button_payloads_and_skips_internal_events() -> None:
    events = [
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("我要投诉", input_channel="socketio"),
        BotUttered("非常抱歉\n\n请问您的投诉与哪方面有关？", data={"buttons": CATEGORY},
                   metadata={"utter_action": "utter_ask_complaint_category"}),
        UserUttered('/inform{"choice": "card"}', input_channel="socketio"),
        UserUttered.create_external("EXTERNAL_handoff_resolved", input_channel="socketio"),
        BotUttered("您好，我是王晓", metadata={"agent_id": "agent-wang", "agent_name": "王晓"}),
        UserUttered('/inform{"choice": "card"}', input_channel="socketio"),  # typed, later
    ]
    lines = transcript(events)
    assert [line.get("text") or line["message"]["text"] for line in lines] == [
        "我要投诉", "非常抱歉", "请问您的投诉与哪方面有关？", "银行卡", "您好，我是王晓",
        '/inform{"choice": "card"}']
    assert [line["from"] for line in lines] == [
        "customer", "bot", "bot", "customer", "bot", "customer"]
    assert lines[2]["message"]["quick_replies"][0]["title"] == "银行卡"
    assert lines[4]["message"]["metadata"]["kefu"] == {
        "from": "agent", "handoff": "agent", "agent_name": "王晓"}


WAIT_OR_CALLBACK = [{"title": "请回电", "payload": '/inform{"choice": "callback"}'},
                    {"title": "继续等候", "payload": '/inform{"choice": "wait"}'}]


def test_a_click_on_the_first_of_two_messages_of_a_turn_is_shown_by_its_title() -> None:
    """The bot asks with buttons, then the service tells the place in the queue; the
    customer clicks the question's button: each message keeps its own buttons, and the
    click is the button's title (the page then marks that button chosen)."""
    events = [
        UserUttered("我要转人工", input_channel="socketio"),
        BotUttered("目前暂无专员在线，请问您希望回电还是继续等候？",
                   data={"buttons": WAIT_OR_CALLBACK},
                   metadata={"utter_action": "utter_handoff_no_agents"}),
        BotUttered("您现在排在第 1 位。", metadata={"kefu_notice": "queue_position",
                                                  "position": 1}),
        UserUttered('/inform{"choice": "wait"}', input_channel="socketio"),
        BotUttered("请问您的投诉与哪方面有关？", data={"buttons": CATEGORY}),
        BotUttered("您也可以选择：", data={"buttons": WAIT_OR_CALLBACK}),
        UserUttered('/inform{"choice": "card"}', input_channel="socketio"),
    ]
    lines = transcript(events)
    assert [(line["from"], line.get("text") or line["message"]["text"]) for line in lines] == [
        ("customer", "我要转人工"),
        ("bot", "目前暂无专员在线，请问您希望回电还是继续等候？"),
        ("bot", "您现在排在第 1 位。"),
        ("customer", "继续等候"),
        ("bot", "请问您的投诉与哪方面有关？"),
        ("bot", "您也可以选择："),
        ("customer", "银行卡")]
    assert [[reply["title"] for reply in line["message"].get("quick_replies", [])]
            for line in lines if line["from"] == "bot"] == [
        ["请回电", "继续等候"], [], ["银行卡", "贷款"], ["请回电", "继续等候"]]


def test_the_transcript_keeps_the_newest_messages() -> None:
    events = [UserUttered(f"消息 {number}") for number in range(MAX_HISTORY_MESSAGES + 5)]
    lines = transcript(events)
    assert len(lines) == MAX_HISTORY_MESSAGES
    assert lines[-1]["text"] == f"消息 {MAX_HISTORY_MESSAGES + 4}"


@pytest.mark.parametrize(("session_id", "valid"), [
    ("0f8fad5bd9cb469fa16570867728950e", True),
    ("web-0123456789ab", True),
    ("+8613800138001", False),
    ("short", False),
    ("x" * 65, False),
    ("../../etc", False),
    (None, False),
    (42, False),
])
def test_session_ids(session_id, valid) -> None:
    assert valid_session_id(session_id) is valid


@pytest.mark.parametrize(("text", "problem"), [
    ("你好", None),
    ("我的card丢了😭 ok?", None),
    ("第一行\n第二行", None),
    ("x" * MAX_MESSAGE_CHARS, None),
    ("x" * (MAX_MESSAGE_CHARS + 1), "too_long"),
    ("", "empty"),
    ("  \n ", "empty"),
    (None, "empty"),
    (["a"], "empty"),
    ("a\x00b", "control_characters"),
])
def test_messages_the_channel_takes(text, problem) -> None:
    assert message_problem(text) == problem


def test_origins() -> None:
    bank = frozenset({"https://www.bank.example"})
    assert origin_allowed("http://127.0.0.1:5005", "127.0.0.1:5005", bank)
    assert origin_allowed("https://www.bank.example", "chat.bank.example", bank)
    assert origin_allowed(None, "127.0.0.1:5005", bank)  # not a browser
    assert not origin_allowed("http://localhost:5005", "127.0.0.1:5005", bank)
    assert not origin_allowed("https://evil.example", "127.0.0.1:5005", bank)
    assert not origin_allowed("https://www.bank.example.evil.example", "x", bank)
    assert not origin_allowed("null", "127.0.0.1:5005", frozenset())


def test_the_page_may_be_framed_only_by_itself_and_the_banks_origins() -> None:
    policy = page_headers(frozenset({"https://www.bank.example"}))["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert policy.endswith("frame-ancestors 'self' https://www.bank.example")


class RecordingServer:
    """Stands in for python-socketio's server: what would be emitted, to which room."""

    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Dict[str, Any], str]] = []

    async def emit(self, event: str, data: Dict[str, Any], room: str) -> None:
        self.emitted.append((event, data, room))


async def test_an_agents_reply_reaches_the_page_with_the_agents_name() -> None:
    server = RecordingServer()
    output = WebChatOutput(server, "bot_uttered")  # type: ignore[arg-type]
    # What the agent bridge hands to the customer's output channel.
    reply = BotUttered("您好，我是王晓", metadata={"agent_id": "agent-wang", "agent_name": "王晓"})
    await output.send_response("session-1", reply.message())
    rating = BotUttered("请您打分", data={"buttons": CATEGORY},
                        metadata={"utter_action": "utter_ask_csat_score"})
    await output.send_response("session-1", rating.message())
    assert server.emitted == [
        ("bot_uttered", {"text": "您好，我是王晓", "metadata": {"kefu": {
            "from": "agent", "handoff": "agent", "agent_name": "王晓"}}}, "session-1"),
        ("bot_uttered", {"text": "请您打分",
                         "metadata": {"kefu": {"from": "bot", "handoff": "bot"}},
                         "quick_replies": [{"content_type": "text", **button}
                                           for button in CATEGORY]}, "session-1"),
    ]


def test_other_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_WEBCHAT_ORIGINS", " https://www.bank.example/, https://m.bank.example")
    channel = WebChatInput.from_credentials({})
    assert channel.allowed_origins == {"https://www.bank.example", "https://m.bank.example"}
    monkeypatch.delenv("KEFU_WEBCHAT_ORIGINS")
    assert WebChatInput.from_credentials(None).allowed_origins == frozenset()
