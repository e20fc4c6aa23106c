"""AgentBridgeInput: the handoff service's way to speak to a customer through Rasa.

An agent's reply (or a queue notice) becomes a `bot` event in the customer's tracker and
is sent through the output channel of the channel the customer last wrote on, exactly as
`POST /conversations/{id}/tracker/events?output_channel=latest&execute_side_effects=true`
would do, but without that endpoint's JSON-schema validation of the events, which costs
about 30 ms per call on 2 cores (measured in docs/benchmarks.md, handoff). `/pause` pauses
the bot in a customer's running conversation on another channel when their handoff begins.
`/outcome_question` leaves a running SMS conversation waiting for the customer's verdict on
the complaint outcome just texted to that phone (bot/outcome_question.py).
Authenticated with the service token that only kefu's own processes hold.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, ConversationPaused, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.outcome_question import REQUESTED_SLOT, may_ask, question_events
from bot.pii import mask_pii

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
MAX_ID_CHARS = 128
MAX_TICKET_CHARS = 20
# What /outcome_question did: put the question, or why not.
ASKED = "asked"
NOT_RUNNING = "not_running"  # no session running: action_session_start puts it when one starts
WITH_AN_AGENT = "with_an_agent"  # paused: the agent reads the answer
BUSY = "busy"  # another question is open: its form finishes first


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

        @bridge.route("/outcome_question", methods=["POST"])
        async def outcome_question(request: Request) -> HTTPResponse:
            body, refused = _checked(request)
            if refused is not None:
                return refused
            number = body.get("ticket_number")
            if not isinstance(number, str) or not 0 < len(number) <= MAX_TICKET_CHARS:
                return response.json({"error": "'ticket_number' is required"}, status=400)
            conversation_id = body["conversation_id"]
            asked = await ask_about_outcome(request, conversation_id, number)
            logger.info("agent_bridge.outcome_question ticket=%s conversation=%s result=%s",
                        number, mask_pii(conversation_id), asked)
            return response.json({"conversation_id": conversation_id, "question": asked})

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


async def ask_about_outcome(request: Request, conversation_id: str, number: str) -> str:
    """Leave a running conversation waiting for the verdict on `number`; what was done."""
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.retrieve(conversation_id)
        if tracker is None or not _session_running(tracker, agent.domain):
            # Not begun here: a session without a message would never expire. The session
            # start asks when the customer writes (actions/session_start.py).
            return NOT_RUNNING
        if tracker.is_paused():
            return WITH_AN_AGENT
        if not may_ask(tracker.active_loop_name, tracker.get_slot(REQUESTED_SLOT)):
            return BUSY
        for parameters in question_events(number):
            event = Event.from_parameters(parameters)
            if event is not None:
                tracker.update(event, agent.domain)
        await agent.tracker_store.save(tracker)
    return ASKED


def _session_running(tracker: DialogueStateTracker, domain: Domain) -> bool:
    """The customer wrote in this session and it has not expired: their next message
    continues it (Rasa's own test, MessageProcessor._has_session_expired)."""
    said: Optional[UserUttered] = tracker.get_last_event_for(UserUttered)
    if said is None:
        return False
    config = domain.session_config
    if not config.are_sessions_enabled():
        return True
    return (time.time() - said.timestamp) / 60 <= config.session_expiration_time


def _output_channel(request: Request, channel_name: Optional[str]) -> Optional[OutputChannel]:
    for channel in getattr(request.app.ctx, "input_channels", None) or []:
        if channel.name() == channel_name:
            return channel.get_output_channel()
    return None
