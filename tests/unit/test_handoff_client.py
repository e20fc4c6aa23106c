"""The action server's client for the handoff service, against a real server on loopback."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from actions.handoff_client import HandoffUnavailable, cancel_handoff
from actions.settings import ActionSettings


async def test_a_handoff_service_that_does_not_answer_in_time_is_unavailable(
        aiohttp_server) -> None:
    # On Python 3.10 aiohttp's total timeout raises asyncio.TimeoutError, which is not the
    # built-in TimeoutError: caught as that alone, the action crashed instead of telling the
    # customer the service is unavailable.
    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await never.wait()
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hang)
    server = await aiohttp_server(app)
    settings = ActionSettings(handoff_url=str(server.make_url("")).rstrip("/"),
                              service_token="token", handoff_timeout_seconds=0.2)
    with pytest.raises(HandoffUnavailable, match="TimeoutError"):
        await cancel_handoff("conversation-1", settings)
