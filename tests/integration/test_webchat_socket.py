"""kefu's web chat channel on the real stack, spoken to as a page would (tools/socketio_client):
the origin check, which session ids a page may resume, the transcript on reconnection,
refused messages, and the page's own headers."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import aiohttp
import pytest
import requests

from tools.socketio_client import SocketIOClient

pytestmark = [
    pytest.mark.integration,
    # The channel does not depend on the SQL database: one stack is enough.
    pytest.mark.parametrize("stack", ["sqlite"], indirect=True),
]


async def open_session(stack, session_id: Any = None,
                       origin: str | None = None) -> tuple[SocketIOClient, str, Dict[str, Any]]:
    """A connected page: its socket, the confirmed session id and the transcript it got."""
    client = SocketIOClient(stack.rasa_url, origin=origin)
    await client.connect()
    await client.emit("session_request", {"session_id": session_id})
    confirmed = await client.receive("session_confirm")
    history = await client.receive("session_history")
    return client, confirmed, history


def said(history: Dict[str, Any]) -> List[str]:
    return [line.get("text") or line["message"]["text"] for line in history["messages"]]


async def test_only_the_pages_own_origin_may_open_the_socket(stack) -> None:
    client, session_id, _ = await open_session(stack, origin=stack.rasa_url)
    assert len(session_id) == 32
    await client.close()

    foreign = SocketIOClient(stack.rasa_url, origin="https://evil.example")
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await foreign.connect()
    assert refused.value.status == 400
    await foreign.close()


async def test_a_reconnecting_page_gets_its_conversation_back(stack) -> None:
    client, session_id, history = await open_session(stack)
    assert history == {"session_id": session_id, "messages": []}
    await client.emit("user_uttered", {"message": "我要投诉", "session_id": session_id})
    question = await client.receive("bot_uttered")
    while "quick_replies" not in question:  # an apology first, then the question
        question = await client.receive("bot_uttered")
    assert question["metadata"]["kefu"] == {"from": "bot", "handoff": "bot"}
    card = next(reply for reply in question["quick_replies"] if reply["title"] == "银行卡")
    await client.emit("user_uttered", {"message": card["payload"], "session_id": session_id})
    await client.receive("bot_uttered")
    await client.close()

    again, resumed, history = await open_session(stack, session_id)
    assert resumed == session_id
    lines = said(history)
    assert lines[0] == "我要投诉" and question["text"] in lines
    assert lines[lines.index(question["text"]) + 1] == "银行卡"  # the title, not the payload
    assert stack.tracker_via_api(session_id)["slots"]["complaint_category"] == "card"
    await again.close()


async def test_a_page_cannot_take_over_another_channels_conversation(stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:10]}"
    assert stack.say(sender, "你好")
    client, session_id, history = await open_session(stack, sender)
    assert session_id != sender and history["messages"] == []
    await client.emit("user_uttered", {"message": "我要转人工", "session_id": sender})
    refused = await client.receive("kefu_error")
    assert refused == {"error": "no_session"}
    customer_texts = [event.get("text") for event in stack.tracker_via_api(sender)["events"]
                      if event["event"] == "user"]
    assert customer_texts == ["你好"]
    await client.close()

    unknown = uuid.uuid4().hex
    client, session_id, _ = await open_session(stack, unknown)
    assert session_id != unknown  # ids are issued by the channel, not chosen by pages
    await client.close()


async def test_empty_oversized_and_control_character_messages_are_refused(stack) -> None:
    client, session_id, _ = await open_session(stack)
    for text, problem in [("", "empty"), ("   ", "empty"), ("长" * 1001, "too_long"),
                          ("a\x00b", "control_characters")]:
        await client.emit("user_uttered", {"message": text, "session_id": session_id})
        assert await client.receive("kefu_error") == {"error": problem}
    await client.emit("user_uttered", {"message": "你好😊 hello", "session_id": session_id})
    assert (await client.receive("bot_uttered"))["text"]
    await client.close()


def test_the_page_and_its_assets_are_served_with_a_strict_policy(stack) -> None:
    page = requests.get(f"{stack.rasa_url}/webhooks/web/chat", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "<script>" not in page.text and "static/chat.js" in page.text
    for asset in ("chat.js", "chat.css", "vendor/socket.io.min.js"):
        served = requests.get(f"{stack.rasa_url}/webhooks/web/static/{asset}", timeout=10)
        assert served.status_code == 200, asset
    missing = requests.get(f"{stack.rasa_url}/webhooks/web/static/../webchat.py", timeout=10)
    assert missing.status_code == 404
