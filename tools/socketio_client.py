"""A minimal Socket.IO client (Engine.IO 4 over a WebSocket): tests, benchmarks, tools.

python-socketio's own client needs a newer aiohttp than Rasa 3.6 allows; the protocol
a chat page speaks is small: open, connect, events as `42[name, data]`, ping/pong.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, Optional, Tuple

import aiohttp

WAIT_SECONDS = 20


class SocketIOClient:
    def __init__(self, base_url: str, path: str = "/socket.io",
                 origin: Optional[str] = None) -> None:
        self.url = f"{base_url.rstrip('/')}{path}/?EIO=4&transport=websocket"
        # A browser sends the page's origin; None, as non-browser clients do, sends none.
        self.origin = origin
        self.events: asyncio.Queue[Tuple[str, Any]] = asyncio.Queue()
        self._http: Optional[aiohttp.ClientSession] = None
        self._socket: Optional[aiohttp.ClientWebSocketResponse] = None
        self._reader: Optional[asyncio.Task[None]] = None

    async def connect(self) -> None:
        self._http = aiohttp.ClientSession()
        self._socket = await self._http.ws_connect(self.url, origin=self.origin)
        opened = await self._socket.receive_str(timeout=WAIT_SECONDS)
        assert opened.startswith("0"), opened  # Engine.IO open packet
        await self._socket.send_str("40")  # Socket.IO connect to "/"
        connected = await self._socket.receive_str(timeout=WAIT_SECONDS)
        assert connected.startswith("40"), connected
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._socket is not None
        async for message in self._socket:
            packet = message.data
            if packet == "2":  # ping
                await self._socket.send_str("3")
            elif packet.startswith("42"):
                name, *data = json.loads(packet[2:])
                await self.events.put((name, data[0] if data else None))

    async def emit(self, name: str, data: Dict[str, Any]) -> None:
        assert self._socket is not None
        await self._socket.send_str("42" + json.dumps([name, data], ensure_ascii=False))

    async def receive(self, name: str) -> Any:
        """The next event called `name` (others before it are dropped)."""
        while True:
            received, data = await asyncio.wait_for(self.events.get(), WAIT_SECONDS)
            if received == name:
                return data

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self._socket:
            await self._socket.close()
        if self._http:
            await self._http.close()
