"""HTTP handlers of the handoff API. Domain errors become HTTP errors here only."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from aiohttp import web

from actions.kpi import report_for_days
from actions.store.models import utc_now
from actions.tickets.numbers import TICKET_NUMBER
from actions.tickets.resolve import TicketAlreadyResolved, TicketNotFound
from handoff.enqueue import EnqueueHandoff
from handoff.keys import (
    QUEUE_KEY,
    http_key,
    redis_key,
    request_key,
    settings_key,
    sql_sessions_key,
)
from handoff.resolve_ticket import ResolveTicketAndNotify
from handoff.validation import (
    InvalidHandoffRequest,
    validate_handoff_request,
    validate_resolution,
)

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
    enqueue = EnqueueHandoff(
        request.app[redis_key],
        seconds_per_queue_position=request.app[settings_key].seconds_per_queue_position,
    )
    queued = await enqueue.call(request=handoff_request)
    logger.info(
        "handoff.queued handoff_id=%s position=%s created=%s reason=%s",
        queued.handoff_id,
        queued.queue_position,
        queued.created,
        handoff_request["reason"],
    )
    return web.json_response(queued.as_json(), status=201 if queued.created else 200)


async def list_queue(request: web.Request) -> web.Response:
    redis = request.app[redis_key]
    now_ms = time.time() * 1000
    waiting = []
    for position, (conversation_id, queued_at_ms) in enumerate(
        await redis.zrange(QUEUE_KEY, 0, -1, withscores=True), start=1
    ):
        stored = await redis.hget(request_key(conversation_id.decode()), "request")
        handoff_request = json.loads(stored) if stored else {}
        waiting.append(
            {
                "conversation_id": conversation_id.decode(),
                "queue_position": position,
                "waited_seconds": round((now_ms - queued_at_ms) / 1000),
                "reason": handoff_request.get("reason"),
                "priority": handoff_request.get("priority", "normal"),
                "emotion_trajectory": handoff_request.get("emotion_trajectory", []),
                "language": handoff_request.get("language"),
                "channel": handoff_request.get("channel"),
                "summary": handoff_request.get("summary"),
            }
        )
    return web.json_response({"waiting": waiting})


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
    settings = request.app[settings_key]
    service = ResolveTicketAndNotify(
        request.app[sql_sessions_key], request.app[http_key], settings.rasa_url, settings.rasa_token
    )
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
    return web.json_response(
        {
            "number": resolved.ticket.number,
            "status": resolved.ticket.status,
            "customer_notified": resolved.customer_notified,
        }
    )


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
