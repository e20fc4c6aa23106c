"""KefuRestInput: Rasa's REST channel with the request validation a bank needs.

Stock `RestInput` answers 500 or an empty list for a body that is not JSON, a
missing sender or a megabyte of text, and lets callers choose their input
channel. This channel rejects such requests with a 4xx and a clear reason.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.sender_ids import chosen_id_problem

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 4000
MAX_SENDER_CHARS = 128


class WebhookRequestError(Exception):
    """A webhook request that cannot be processed; carries its HTTP status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class WebhookMessage:
    sender_id: str
    text: str
    metadata: Dict[str, Any] = field(default_factory=dict)


def parse_webhook_body(body: bytes) -> WebhookMessage:
    """Validate a REST webhook body; raise WebhookRequestError when it is unusable."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRequestError(413, f"request body exceeds {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRequestError(400, "request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise WebhookRequestError(400, "request body must be a JSON object")
    return WebhookMessage(
        sender_id=_valid_sender(payload.get("sender")),
        text=_valid_text(payload.get("message")),
        metadata=_valid_metadata(payload.get("metadata")),
    )


def _valid_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not sender.strip():
        raise WebhookRequestError(400, "'sender' is required and must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS:
        raise WebhookRequestError(400, f"'sender' exceeds {MAX_SENDER_CHARS} characters")
    if any(unicodedata.category(char).startswith("C") for char in sender):
        raise WebhookRequestError(400, "'sender' contains control characters")
    problem = chosen_id_problem(sender)
    if problem:
        raise WebhookRequestError(400, f"'sender' {problem}")
    return sender


def _valid_text(text: Any) -> str:
    if not isinstance(text, str):
        raise WebhookRequestError(400, "'message' is required and must be a string")
    if not text.strip():
        raise WebhookRequestError(400, "'message' is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise WebhookRequestError(413, f"'message' exceeds {MAX_MESSAGE_CHARS} characters")
    return text


def _valid_metadata(metadata: Any) -> Dict[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise WebhookRequestError(400, "'metadata' must be a JSON object")
    return metadata


class KefuRestInput(RestInput):
    """POST /webhooks/rest/webhook with {"sender", "message", "metadata"?}."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("kefu_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = parse_webhook_body(request.body or b"")
            except WebhookRequestError as error:
                logger.warning(
                    "rest.request_rejected status=%s reason=%s body_bytes=%s",
                    error.status,
                    error.reason,
                    len(request.body or b""),
                )
                return response.json({"error": error.reason}, status=error.status)
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(
                    message.text,
                    collector,
                    message.sender_id,
                    input_channel=self.name(),
                    # Named by the channel, not the caller: it decides who a new session is.
                    metadata={**message.metadata, "input_channel": self.name()},
                )
            )
            return response.json(collector.messages)

        return webhook
