"""HTTP client for the handoff service's API."""

from __future__ import annotations

from typing import Optional, TypedDict

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


async def join_open_handoff(conversation_id: str, customer_number: str, channel: str,
                            settings: ActionSettings) -> bool:
    """Join the customer's open handoff (begun on another channel), if they have one."""
    timeout = aiohttp.ClientTimeout(total=settings.handoff_timeout_seconds)
    headers = {"Authorization": f"Bearer {settings.service_token}"}
    body = {"conversation_id": conversation_id, "customer_number": customer_number,
            "channel": channel}
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(f"{settings.handoff_url}/api/v1/handoffs/join", json=body,
                                    headers=headers) as reply:
                if reply.status != 200:
                    raise HandoffUnavailable(f"handoff service answered {reply.status}")
                return bool((await reply.json()).get("joined"))
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
