"""A loopback proxy between Rasa and the action server that holds each action call for
`delay_seconds` (settable while running): a slow action server without changing its code.

Rasa is pointed at it with KEFU_ACTION_URL; `upstream` is the real action server's address.
"""

from __future__ import annotations

import asyncio
from typing import Optional

import aiohttp
from aiohttp import web

from tests.fakes.loopback import LoopbackServer


class ActionDelayProxy(LoopbackServer):
    thread_name = "action-delay"

    def __init__(self) -> None:
        super().__init__()
        self.upstream: Optional[str] = None  # http://127.0.0.1:PORT of the action server
        self.delay_seconds = 0.0
        self.calls = 0

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    async def _forward(self, request: web.Request) -> web.Response:
        if self.upstream is None:
            return web.json_response({"error": "no upstream"}, status=502)
        self.calls += 1
        body = await request.read()
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)  # the slowness being simulated
        async with aiohttp.ClientSession() as http, http.request(
                request.method, self.upstream + request.path_qs, data=body,
                headers={"Content-Type": request.headers.get("Content-Type",
                                                             "application/json")}) as reply:
            return web.Response(body=await reply.read(), status=reply.status,
                                content_type=reply.content_type)

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        return app
