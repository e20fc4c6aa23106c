"""HTTP client for the handoff service's API."""

from __future__ import annotations

from typing import TypedDict

import aiohttp

from actions.handoff_context import HandoffContext
from actions.settings import ActionSettings


class HandoffUnavailable(Exception):
    """The handoff service could not take the request."""


class QueuedHandoff(TypedDict):
    handoff_id: str
    conversation_id: str
    status: str
    queue_position: int
    estimated_wait_seconds: int
    agents_online: int
    agents_on_shift: int
    within_agent_hours: bool
    agent_hours: str


async def request_handoff(
    context: HandoffContext, settings: ActionSettings
) -> QueuedHandoff:
    """POST the context to the handoff service; raise HandoffUnavailable on failure."""
    timeout = aiohttp.ClientTimeout(total=settings.handoff_timeout_seconds)
    headers = {"Authorization": f"Bearer {settings.service_token}"}
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(
                f"{settings.handoff_url}/api/v1/handoffs", json=context, headers=headers
            ) as reply:
                if reply.status not in (200, 201):
                    raise HandoffUnavailable(f"handoff service answered {reply.status}")
                queued: QueuedHandoff = await reply.json()
                return queued
    except (aiohttp.ClientError, TimeoutError) as error:
        raise HandoffUnavailable(type(error).__name__) from error


async def cancel_handoff(conversation_id: str, settings: ActionSettings) -> None:
    """Take the conversation out of the queue; raise HandoffUnavailable on failure."""
    timeout = aiohttp.ClientTimeout(total=settings.handoff_timeout_seconds)
    headers = {"Authorization": f"Bearer {settings.service_token}"}
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.delete(
                f"{settings.handoff_url}/api/v1/handoffs/{conversation_id}", headers=headers
            ) as reply:
                if reply.status not in (200, 404, 409):
                    raise HandoffUnavailable(f"handoff service answered {reply.status}")
    except (aiohttp.ClientError, TimeoutError) as error:
        raise HandoffUnavailable(type(error).__name__) from error
