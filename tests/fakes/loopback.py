"""An aiohttp server on loopback in its own thread and event loop, so that synchronous tests
and other processes can call it alike; the fakes (Twilio, WeChat, the action-delay proxy)
each build their app on it."""

from __future__ import annotations

import asyncio
import threading
from typing import Optional

from aiohttp import web

from stack.processes import free_port


class LoopbackServer:
    thread_name = "loopback-fake"

    def __init__(self) -> None:
        self.port = free_port()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None

    def build_app(self) -> web.Application:
        raise NotImplementedError

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._runner = web.AppRunner(self.build_app())
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(
                web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True, name=self.thread_name)
        self._thread.start()
        if not ready.wait(timeout=10):
            raise TimeoutError(f"{self.thread_name} did not start")

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
