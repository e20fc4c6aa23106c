"""A loopback proxy between Rasa and the action server that holds each action call for
`delay_seconds` (settable while running): a slow action server without changing its code.

Rasa is pointed at it with KEFU_ACTION_URL; `upstream` is the real action server's address.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Optional

import aiohttp
from aiohttp import web

from stack.processes import free_port


class ActionDelayProxy:
    def __init__(self) -> None:
        self.port = free_port()
        self.upstream: Optional[str] = None  # http://127.0.0.1:PORT of the action server
        self.delay_seconds = 0.0
        self.calls = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None

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

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", self._forward)
            self._runner = web.AppRunner(app)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(
                web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True, name="action-delay")
        self._thread.start()
        if not ready.wait(timeout=10):
            raise TimeoutError("the action proxy did not start")

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
