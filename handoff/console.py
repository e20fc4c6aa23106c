"""The agent console: its page, its live WebSocket, and the supervisor's overview and
missed offers."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

from aiohttp import WSMsgType, web

from actions.kpi import report_for_days
from actions.store.models import utc_now
from handoff.agent_api import current
from handoff.conversations import agent_state, held_by, known_agents, load_record, waiting
from handoff.keys import ONLINE_AGENTS_KEY, WAITS_KEY, redis_key, sql_sessions_key
from handoff.missed_offers import missed_since
from handoff.routing.rules import PRIORITY_RANK
from handoff.state import console_leases_key, live_key

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
# A conversation waiting longer than this breaches the service level, by priority.
WAIT_SLA_SECONDS = {"urgent": 60, "high": 120, "normal": 300}


@dataclass(frozen=True)
class QueryBound:
    """A whole-number query parameter from 1 to `maximum`."""

    name: str
    default: int
    maximum: int


# The missed offers listed: those of the last `hours` (as "today's KPIs"), newest first.
MISSED_HOURS = QueryBound("hours", 24, 7 * 24)
MISSED_LIMIT = QueryBound("limit", 50, 200)


async def console_page(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "console.html",
                            headers={"Cache-Control": "no-store",
                                     "Content-Security-Policy": "default-src 'self'; "
                                     "connect-src 'self'; frame-ancestors 'none'"})


async def live_socket(request: web.Request) -> web.WebSocketResponse:
    session = current(request)
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    hub, leases = request.app[live_key], request.app[console_leases_key]
    hub.register(socket, session.agent_id, session.role)
    try:
        # Renewed at once (a reconnect within the grace keeps the shift), then by each
        # routing pass (2 s) while open: the grace counts from about the disconnection.
        await leases.renew([session.agent_id])
        logger.info("console.connected agent=%s", session.agent_id)
        async for message in socket:
            if message.type == WSMsgType.TEXT and message.data == "ping":
                await socket.send_str('{"type": "pong"}')
    finally:
        hub.unregister(socket, session.agent_id, session.role)
        logger.info("console.disconnected agent=%s", session.agent_id)
    return socket


def _percentile(values: List[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


async def supervisor_overview(request: web.Request) -> web.Response:
    redis = request.app[redis_key]
    now_ms = int(time.time() * 1000)
    queue = await waiting(redis)
    lengths = {name: 0 for name in PRIORITY_RANK}
    breaches = []
    for record in queue:
        priority = record.fields.get("priority", "normal")
        lengths[priority] += 1
        waited = record.summary(now_ms)["waited_seconds"]
        if waited > WAIT_SLA_SECONDS.get(priority, 300):
            breaches.append({**record.who(), "priority": priority, "waited_seconds": waited})
    waits = [int(value) / 1000 for value in await redis.lrange(WAITS_KEY, 0, -1)]
    online = {member.decode() for member in await redis.smembers(ONLINE_AGENTS_KEY)}
    agents: List[Dict[str, Any]] = []
    for agent_id in await known_agents(redis):
        state = await agent_state(redis, agent_id)
        held = await held_by(redis, agent_id)
        agents.append({"agent_id": agent_id, "name": state.get("name", agent_id),
                       "presence": state.get("presence", "offline"),
                       "online": agent_id in online, "active": int(state.get("active", 0)),
                       # Shift ended by a lost console; any conversations listed wait for them.
                       "disconnected": "disconnected_at" in state,
                       "max_chats": int(state.get("max_chats", 0)),
                       "conversations": [record.conversation_id for record in held],
                       # The same, titled by whom they are with (supervisors see them all).
                       "held": [record.who() for record in held]})
    report = await report_for_days(request.app[sql_sessions_key], redis, 1, utc_now())
    return web.json_response({
        "queue_lengths": lengths,
        "waiting": len(queue),
        "wait_p50_seconds": round(_percentile(waits, 0.5), 1),
        "wait_p95_seconds": round(_percentile(waits, 0.95), 1),
        "sla_breaches": breaches,
        "agents": agents,
        "kpi_today": report.as_json(),
    })


def _bounded(request: web.Request, bound: QueryBound) -> int:
    value = request.query.get(bound.name, str(bound.default))
    if not value.isdigit() or not 1 <= int(value) <= bound.maximum:
        reason = f"'{bound.name}' must be a whole number from 1 to {bound.maximum}"
        logger.warning("supervisor.bad_query reason=%s", reason)
        raise web.HTTPBadRequest(text=json.dumps({"error": reason}),
                                 content_type="application/json")
    return int(value)


async def missed_offers(request: web.Request) -> web.Response:
    hours, limit = _bounded(request, MISSED_HOURS), _bounded(request, MISSED_LIMIT)
    since = utc_now() - dt.timedelta(hours=hours)
    missed = await asyncio.to_thread(missed_since, request.app[sql_sessions_key], since, limit)
    offers = []
    for offer in missed.offers:
        # Titled like the lists while the handoff is still held in Redis.
        record = await load_record(request.app[redis_key], offer.conversation_id)
        offers.append({**(record.who() if record else {}), **offer.as_json()})
    return web.json_response({"since": since.isoformat(), "count": missed.count,
                              "missed_offers": offers})
