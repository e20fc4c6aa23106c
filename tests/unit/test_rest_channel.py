"""Validation of REST webhook bodies (the live server is exercised in integration)."""

from __future__ import annotations

import json

import pytest

from bot.channels.rest import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    WebhookRequestError,
    parse_webhook_body,
)


def _body(**fields) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


def test_accepts_a_message_with_emoji_and_mixed_scripts() -> None:
    message = parse_webhook_body(_body(sender="web-1", message="我的card丢了😭", metadata={"a": 1}))
    assert (message.sender_id, message.text, message.metadata) == (
        "web-1",
        "我的card丢了😭",
        {"a": 1},
    )


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"not json", 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (_body(message="hi"), 400, "'sender' is required"),
        (_body(sender="", message="hi"), 400, "'sender' is required"),
        (_body(sender=42, message="hi"), 400, "'sender' is required"),
        (_body(sender="a\x00b", message="hi"), 400, "control characters"),
        (_body(sender="x" * 129, message="hi"), 400, "'sender' exceeds"),
        # Another channel's conversation ids: an SMS customer's number, a WeChat openid.
        (_body(sender="+8613800138000", message="hi"), 400, "may not start with '+'"),
        (_body(sender="wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", message="hi"), 400,
         "may not contain ':'"),
        (_body(sender="web-1"), 400, "'message' is required"),
        (_body(sender="web-1", message="   "), 400, "'message' is empty"),
        (_body(sender="web-1", message="x" * (MAX_MESSAGE_CHARS + 1)), 413, "'message' exceeds"),
        (_body(sender="web-1", message="hi", metadata=[1]), 400, "'metadata'"),
        (b" " * (MAX_BODY_BYTES + 1), 413, "request body exceeds"),
    ],
)
def test_rejects_unusable_bodies_with_a_reason(body: bytes, status: int, reason: str) -> None:
    with pytest.raises(WebhookRequestError) as raised:
        parse_webhook_body(body)
    assert raised.value.status == status
    assert reason in raised.value.reason
