"""HTTP handlers of the handoff API. Domain errors become HTTP errors here only."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Dict, Optional

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from actions.kpi import report_for_days
from actions.store.models import utc_now
from actions.tickets.numbers import TICKET_NUMBER
from actions.tickets.resolve import TicketAlreadyResolved, TicketNotFound
from handoff.conversations import load_record, online_agent_count, waiting
from handoff.hours import OpeningHours
from handoff.joining import JoinOtherConversations, announce_join
from handoff.keys import (
    ON_SHIFT_AGENTS_KEY,
    conversation_key,
    redis_key,
    settings_key,
    sql_sessions_key,
)
from handoff.live import ALL_AGENTS
from handoff.resolve_ticket import ResolveTicketAndNotify
from handoff.routing.cancel import CancelHandoff
from handoff.routing.enqueue import EnqueueHandoff
from handoff.routing.join import JoinHandoff
from handoff.routing.outcomes import RoutingRefused
from handoff.state import (
    dispatcher_key,
    estimator_key,
    live_key,
    metrics_key,
    outbox_key,
    rasa_key,
    routing_clock_key,
    scripts_key,
)
from handoff.validation import (
    InvalidHandoffRequest,
    validate_handoff_request,
    validate_join_request,
    validate_resolution,
)
from handoff.wait_estimate import customer_minutes

logger = logging.getLogger(__name__)

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "docs" / "handoff-api.yaml"


async def health(request: web.Request) -> web.Response:
    await request.app[redis_key].ping()
    return web.json_response({"status": "ok"})


async def openapi_document(_: web.Request) -> web.FileResponse:
    return web.FileResponse(OPENAPI_PATH, headers={"Content-Type": "application/yaml"})


async def create_handoff(request: web.Request) -> web.Response:
    try:
        payload = await request.json()
    except json.JSONDecodeError:
        return _bad_request("body is not valid JSON")
    try:
        handoff_request = validate_handoff_request(payload)
    except InvalidHandoffRequest as error:
        return _bad_request(str(error))
    redis = request.app[redis_key]
    queued = await EnqueueHandoff(request.app[scripts_key]).call(handoff_request)
    # Before the dispatcher is woken: the wait of the conversation that holds the handoff.
    _position, wait = await _expected_wait(request.app, queued.holder)
    if queued.joined:
        await announce_join(request.app, handoff_request["conversation_id"],
                            handoff_request["channel"], queued.holder,
                            _last_customer_line(handoff_request))
    if queued.created:
        await redis.hset(conversation_key(queued.conversation_id), "told_position",
                         queued.queue_position)
        customer_number = (handoff_request.get("customer") or {}).get("customer_number")
        if customer_number:
            # The customer's other channels join too, so that wherever they write next
            # reaches this agent; in the background, as it waits for Rasa.
            request.app[dispatcher_key].later(JoinOtherConversations(
                request.app[sql_sessions_key], request.app[scripts_key], request.app[rasa_key],
            ).call(str(customer_number), queued.conversation_id))
        request.app[metrics_key].handoffs.labels(queued.priority).inc()
        await request.app[live_key].publish([ALL_AGENTS], {
            "type": "queue_changed", "conversation_id": queued.conversation_id})
        request.app[dispatcher_key].wake()
    logger.info(
        "handoff.queued handoff_id=%s position=%s created=%s joined=%s reason=%s priority=%s",
        queued.handoff_id, queued.queue_position, queued.created, queued.joined,
        handoff_request["reason"], queued.priority,
    )
    return web.json_response({
        "handoff_id": queued.handoff_id,
        "conversation_id": queued.conversation_id,
        # Set when the customer's open handoff on another channel took this conversation in.
        "joined_conversation_id": queued.holder if queued.joined else None,
        "status": queued.status,
        "priority": queued.priority,
        "queue_position": queued.queue_position,
        **wait,
        "agents_online": await online_agent_count(redis),
        "agents_on_shift": int(await redis.scard(ON_SHIFT_AGENTS_KEY)),
        "agent_hours": request.app[settings_key].agent_hours,
        "within_agent_hours": OpeningHours.parse(
            request.app[settings_key].agent_hours).open_at(utc_now()),
    }, status=201 if queued.created else 200)


async def _expected_wait(app: web.Application,
                         conversation_id: str) -> tuple[int, Dict[str, Optional[int]]]:
    """The place (0 unless queued) and the expected wait in seconds and as told to the
    customer: None when no agent who could take it is online; 0 once an agent has it."""
    estimate = await app[estimator_key].of(conversation_id, app[routing_clock_key]())
    if estimate is not None:
        position, seconds = estimate.position, estimate.seconds
    else:
        # Offered meanwhile (by this instance's dispatcher or another's), or not waiting.
        record = await load_record(app[redis_key], conversation_id)
        position = 0
        seconds = 0 if record is not None and record.status in ("assigned", "active") else None
    return position, {"estimated_wait_seconds": seconds,
                      "estimated_wait_minutes": None if seconds is None
                      else customer_minutes(seconds)}


async def handoff_status(request: web.Request) -> web.Response:
    """Where a conversation's handoff stands: its place and expected wait while queued."""
    conversation_id = request.match_info["conversation_id"]
    record = await load_record(request.app[redis_key], conversation_id)
    if record is None:
        return web.json_response({"error": "no handoff for this conversation"}, status=404)
    position, wait = await _expected_wait(request.app, conversation_id)
    return web.json_response({
        "conversation_id": conversation_id,
        "status": record.status,
        "queue_position": position,
        **wait,
        "agents_online": await online_agent_count(request.app[redis_key]),
    })


async def join_handoff(request: web.Request) -> web.Response:
    """A verified customer's new conversation on another channel joins their open handoff."""
    try:
        joining = validate_join_request(await request.json())
    except json.JSONDecodeError:
        return _bad_request("body is not valid JSON")
    except InvalidHandoffRequest as error:
        return _bad_request(str(error))
    joined = await JoinHandoff(request.app[scripts_key]).call(
        joining["conversation_id"], joining["customer_number"], joining["channel"])
    if joined is None:
        return web.json_response({"joined": False})
    if joined.holder != joining["conversation_id"]:
        await announce_join(request.app, joining["conversation_id"], joining["channel"],
                            joined.holder)
    return web.json_response({"joined": True, "joined_conversation_id": joined.holder,
                              "status": joined.status, "agent_id": joined.agent_id or None})


def _last_customer_line(handoff_request: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """What the customer said on the other channel to ask for a person again."""
    said = [line for line in handoff_request.get("transcript") or []
            if isinstance(line, dict) and line.get("role") == "customer"]
    return said[-1] if said else None


async def cancel_handoff(request: web.Request) -> web.Response:
    conversation_id = request.match_info["conversation_id"]
    try:
        joined = await CancelHandoff(request.app[scripts_key]).call(conversation_id)
    except RoutingRefused as refusal:
        status = 404 if refusal.outcome == "unknown" else 409
        return web.json_response({"error": refusal.outcome}, status=status)
    for sender_id in joined:  # they were paused when they joined
        await request.app[rasa_key].resume(sender_id)
    await request.app[live_key].publish([ALL_AGENTS], {"type": "queue_changed"})
    logger.info("handoff.cancelled reason=callback")
    return web.json_response({"conversation_id": conversation_id, "status": "cancelled"})


async def list_queue(request: web.Request) -> web.Response:
    now_ms = int(time.time() * 1000)
    return web.json_response({"waiting": [
        {**record.summary(now_ms), "queue_position": position}
        for position, record in enumerate(await waiting(request.app[redis_key]), start=1)]})


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[metrics_key]
    await registry.refresh(request.app[redis_key], request.app[outbox_key].pending)
    return web.Response(body=generate_latest(registry.registry),
                        headers={"Content-Type": CONTENT_TYPE_LATEST})


async def resolve_ticket(request: web.Request) -> web.Response:
    number = request.match_info["number"].upper()
    if not TICKET_NUMBER.fullmatch(number):
        return _bad_request("not a ticket number (KF-YYYYMMDD-NNNNN)")
    try:
        resolution = validate_resolution(await request.json())
    except json.JSONDecodeError:
        return _bad_request("body is not valid JSON")
    except InvalidHandoffRequest as error:
        return _bad_request(str(error))
    service = ResolveTicketAndNotify.of(request.app)
    try:
        resolved = await service.call(number, resolution["resolution"], resolution["agent_id"])
    except TicketNotFound:
        logger.warning("ticket.resolve_unknown number=%s", number)
        return web.json_response({"error": f"no ticket {number}"}, status=404)
    except TicketAlreadyResolved:
        return web.json_response({"error": f"{number} is already resolved"}, status=409)
    logger.info(
        "ticket.resolved number=%s agent=%s notified=%s",
        number, resolution["agent_id"], resolved.customer_notified,
    )
    return web.json_response(resolved.as_json())


async def kpi(request: web.Request) -> web.Response:
    try:
        days = int(request.query.get("days", "30"))
        report = await report_for_days(
            request.app[sql_sessions_key], request.app[redis_key], days, utc_now()
        )
    except ValueError:
        return _bad_request("'days' must be a whole number from 1 to 366")
    return web.json_response(report.as_json())


def _bad_request(reason: str) -> web.Response:
    logger.warning("handoff.request_rejected reason=%s", reason)
    return web.json_response({"error": reason}, status=400)
