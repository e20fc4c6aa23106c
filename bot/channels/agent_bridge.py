"""AgentBridgeInput: the handoff service's way to speak to a customer through Rasa.

An agent's reply (or a queue notice) becomes a `bot` event in the customer's tracker and
is sent through the output channel of the channel the customer last wrote on, exactly as
`POST /conversations/{id}/tracker/events?output_channel=latest&execute_side_effects=true`
would do, but without that endpoint's JSON-schema validation of the events, which costs
about 30 ms per call on 2 cores (measured in docs/benchmarks.md, handoff). `/pause` pauses
the bot in a customer's running conversation on another channel when their handoff begins.
Authenticated with the service token that only kefu's own processes hold.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, ConversationPaused
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
MAX_ID_CHARS = 128


class AgentBridgeInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "agent_bridge"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bridge = Blueprint("agent_bridge", __name__)

        @bridge.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            body, refused = _checked(request)
            if refused is not None:
                return refused
            conversation_id, text = body["conversation_id"], body.get("text")
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            if not isinstance(text, str) or not 0 < len(text) <= MAX_TEXT_CHARS:
                return response.json({"error": "'text' is required"}, status=400)
            delivered_on = await say_to_customer(request, conversation_id, text, metadata)
            return response.json({"conversation_id": conversation_id, "channel": delivered_on})

        @bridge.route("/pause", methods=["POST"])
        async def pause(request: Request) -> HTTPResponse:
            body, refused = _checked(request)
            if refused is not None:
                return refused
            paused = await pause_if_running(request, body["conversation_id"])
            return response.json({"conversation_id": body["conversation_id"], "paused": paused})

        return bridge


def _checked(request: Request) -> Tuple[Dict[str, Any], Optional[HTTPResponse]]:
    """(the JSON body, None) for a request with the service token and a conversation id;
    otherwise the refusal to answer with."""
    if not _authorised(request):
        logger.warning("agent_bridge.unauthorised remote=%s", request.ip)
        return {}, response.json({"error": "missing or invalid service token"}, status=401)
    body = request.json if isinstance(request.json, dict) else {}
    conversation_id = body.get("conversation_id")
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= MAX_ID_CHARS:
        return body, response.json({"error": "'conversation_id' is required"}, status=400)
    return body, None


def _authorised(request: Request) -> bool:
    expected = f"Bearer {os.environ.get('KEFU_SERVICE_TOKEN', '')}"
    presented = request.headers.get("Authorization", "")
    return bool(os.environ.get("KEFU_SERVICE_TOKEN")) and hmac.compare_digest(
        presented.encode(), expected.encode())


async def say_to_customer(request: Request, conversation_id: str, text: str,
                          metadata: Dict[str, Any]) -> Optional[str]:
    """Record the bot event and send it on the customer's latest channel; that channel."""
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.processor.get_tracker(conversation_id)
        uttered = BotUttered(text, metadata=metadata)
        tracker.update(uttered)
        channel_name = tracker.get_latest_input_channel()
        output = _output_channel(request, channel_name)
        if output is not None:
            await output.send_response(conversation_id, uttered.message())
        await agent.tracker_store.save(tracker)
    return channel_name if output is not None else None


async def pause_if_running(request: Request, conversation_id: str) -> bool:
    """Pause the bot in a conversation that exists; a conversation that has not started yet
    is left alone, so that its session start (action_session_start) still runs."""
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.retrieve(conversation_id)
        if tracker is None:
            return False
        tracker.update(ConversationPaused())
        await agent.tracker_store.save(tracker)
    return True


def _output_channel(request: Request, channel_name: Optional[str]) -> Optional[OutputChannel]:
    for channel in getattr(request.app.ctx, "input_channels", None) or []:
        if channel.name() == channel_name:
            return channel.get_output_channel()
    return None
