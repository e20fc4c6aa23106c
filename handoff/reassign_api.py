"""A supervisor reassigns a conversation (session + CSRF, supervisors only): to a named
agent, `{"agent_id": "agent-zhao"}`, or back to the queue, `{"queue": true}`."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Optional

from aiohttp import web

from handoff.agent_api import current, json_body, routing_refused, signed_in_account
from handoff.routing.outcomes import RoutingRefused
from handoff.supervisor_reassign import ReassignBySupervisor

logger = logging.getLogger(__name__)

MAX_AGENT_ID_CHARS = 64
TARGET_REQUIRED = "give 'agent_id' (an agent) or \"queue\": true (back to the queue)"


def _target(body: Dict[str, Any]) -> Optional[str]:
    """The agent to reassign to, or None for the queue; 400 unless exactly one is given."""
    agent_id, queue = body.get("agent_id"), body.get("queue")
    if queue is True and agent_id is None:
        return None
    if queue is None and isinstance(agent_id, str) \
            and 0 < len(agent_id.strip()) <= MAX_AGENT_ID_CHARS:
        return agent_id.strip()
    logger.warning("handoff.reassign_bad_request")
    raise web.HTTPBadRequest(text=json.dumps({"error": TARGET_REQUIRED}),
                             content_type="application/json")


async def reassign(request: web.Request) -> web.Response:
    supervisor = await signed_in_account(request, current(request))
    to_agent_id = _target(await json_body(request))
    try:
        done = await ReassignBySupervisor.of(request.app).call(
            supervisor=supervisor, conversation_id=request.match_info["conversation_id"],
            to_agent_id=to_agent_id)
    except RoutingRefused as refusal:
        return routing_refused(refusal)
    moved = done.reassignment
    return web.json_response({
        "conversation_id": moved.conversation_id,
        "outcome": "reassigned" if moved.to_agent else "queued",
        "from": moved.from_agent, "agent_id": moved.to_agent,
        "customer_notified": done.customer_notified})
