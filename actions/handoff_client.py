"""HTTP client for the handoff service's API."""

from __future__ import annotations

import asyncio
from typing import Any, Optional, Tuple, TypedDict
from urllib.parse import quote

import aiohttp

from actions.handoff_context import HandoffContext
from actions.settings import ActionSettings


class HandoffUnavailable(Exception):
    """The handoff service could not take the request."""


class QueuedHandoff(TypedDict):
    handoff_id: str
    conversation_id: str
    # The customer's conversation on another channel whose open handoff this one joined.
    joined_conversation_id: Optional[str]
    status: str
    queue_position: int
    # None when no agent who could take the conversation is online.
    estimated_wait_seconds: Optional[int]
    # The wait as the customer is told it (rounded; never 0).
    estimated_wait_minutes: Optional[int]
    agents_online: int
    agents_on_shift: int
    within_agent_hours: bool
    agent_hours: str


class HandoffStatus(TypedDict):
    conversation_id: str
    status: str  # queued, assigned (offered to an agent), active, resolved, cancelled
    queue_position: int  # 0 unless queued
    estimated_wait_seconds: Optional[int]
    estimated_wait_minutes: Optional[int]
    agents_online: int


async def _call(method: str, path: str, settings: ActionSettings, accepted: Tuple[int, ...],
                body: Optional[Any] = None) -> Any:
    """One request to the handoff service with the service token; its JSON answer (None for
    an empty one). Raises HandoffUnavailable when it fails or answers another status."""
    timeout = aiohttp.ClientTimeout(total=settings.handoff_timeout_seconds)
    headers = {"Authorization": f"Bearer {settings.service_token}"}
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.request(method, f"{settings.handoff_url}{path}", json=body,
                                       headers=headers) as reply:
                if reply.status not in accepted:
                    raise HandoffUnavailable(f"handoff service answered {reply.status}")
                return await reply.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, asyncio.TimeoutError, ValueError) as error:
        raise HandoffUnavailable(type(error).__name__) from error


async def request_handoff(context: HandoffContext, settings: ActionSettings) -> QueuedHandoff:
    """POST the context to the handoff service; raise HandoffUnavailable on failure."""
    queued: QueuedHandoff = await _call("POST", "/api/v1/handoffs", settings, (200, 201),
                                        context)
    return queued


async def handoff_status(conversation_id: str,
                         settings: ActionSettings) -> Optional[HandoffStatus]:
    """The conversation's handoff, with its place and expected wait while queued; None
    when it has none. Raises HandoffUnavailable on failure."""
    found: HandoffStatus = await _call(
        "GET", f"/api/v1/handoffs/{quote(conversation_id, safe='')}", settings, (200, 404))
    return found if "status" in found else None  # 404: {"error": ...}


async def join_open_handoff(conversation_id: str, customer_number: str, channel: str,
                            settings: ActionSettings) -> bool:
    """Join the customer's open handoff (begun on another channel), if they have one."""
    answer = await _call("POST", "/api/v1/handoffs/join", settings, (200,), {
        "conversation_id": conversation_id, "customer_number": customer_number,
        "channel": channel})
    return bool(answer.get("joined"))


async def cancel_handoff(conversation_id: str, settings: ActionSettings) -> None:
    """Take the conversation out of the queue; raise HandoffUnavailable on failure."""
    await _call("DELETE", f"/api/v1/handoffs/{conversation_id}", settings, (200, 404, 409))
