"""A stand-in for Rasa's HTTP API on loopback that takes `trigger_intent` requests and holds
each one until the test lets it go: the moment between a stored resolution and the outcome
notice, where a crash test stops the handoff service."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web

from tests.fakes.loopback import LoopbackServer


class HeldRasa(LoopbackServer):
    thread_name = "held-rasa"

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.released = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _trigger_intent(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await asyncio.to_thread(self.released.wait, 60)
        return web.json_response({"tracker": {"sender_id": request.match_info["sender"]}})

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/conversations/{sender}/trigger_intent", self._trigger_intent)
        return app

    def __enter__(self) -> HeldRasa:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.released.set()
        self.stop()
