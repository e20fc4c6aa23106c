"""Live updates to consoles: Redis pub/sub fans events out to every service instance,
and each instance writes them to its own agents' WebSockets."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from typing import Any, Dict, Iterable, Set

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from actions.tickets.announce import TICKET_CHANGES_CHANNEL
from handoff.keys import LIVE_CHANNEL

logger = logging.getLogger(__name__)

SUPERVISORS = "supervisors"
ALL_AGENTS = "agents"
# How long a stop takes to be noticed.
POLL_SECONDS = 0.25


def agent_audience(agent_id: str) -> str:
    return f"agent:{agent_id}"


def _published(message: Dict[str, Any]) -> Dict[str, Any]:
    """A message of either channel as {"audience", "event"}: a ticket the bot changed (filed,
    closed or reopened by the customer) is news for every console's complaints lists."""
    if _text(message["channel"]) == TICKET_CHANGES_CHANNEL:
        return {"audience": [ALL_AGENTS],
                "event": {"type": "complaints_changed", "number": _text(message["data"])}}
    return dict(json.loads(message["data"]))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class LiveHub:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._sockets: Dict[str, Set[web.WebSocketResponse]] = defaultdict(set)

    async def publish(self, audience: Iterable[str], event: Dict[str, Any]) -> None:
        await self._redis.publish(LIVE_CHANNEL, json.dumps(
            {"audience": sorted(set(audience)), "event": event}, ensure_ascii=False))

    def register(self, socket: web.WebSocketResponse, agent_id: str, role: str) -> None:
        for audience in self._audiences(agent_id, role):
            self._sockets[audience].add(socket)

    def unregister(self, socket: web.WebSocketResponse, agent_id: str, role: str) -> None:
        for audience in self._audiences(agent_id, role):
            self._sockets[audience].discard(socket)

    def connected_agents(self) -> Set[str]:
        """The agents with a console open on this instance."""
        prefix = agent_audience("")
        return {audience[len(prefix):] for audience, sockets in self._sockets.items()
                if audience.startswith(prefix) and any(not s.closed for s in sockets)}

    @staticmethod
    def _audiences(agent_id: str, role: str) -> list[str]:
        return [agent_audience(agent_id), ALL_AGENTS] + ([SUPERVISORS] if role == "supervisor"
                                                         else [])

    async def listen(self, stop: asyncio.Event) -> None:
        """Deliver published events to the local sockets until `stop` is set."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(LIVE_CHANNEL, TICKET_CHANGES_CHANNEL)
        try:
            while not stop.is_set():
                try:
                    message = await pubsub.get_message(timeout=POLL_SECONDS)
                except RedisError as error:
                    logger.error("live.redis_error error=%s", type(error).__name__)
                    await asyncio.sleep(POLL_SECONDS)
                    continue
                if message is not None:
                    await self._deliver(_published(message))
        finally:
            await pubsub.close()

    async def _deliver(self, published: Dict[str, Any]) -> None:
        sockets = set().union(*(self._sockets.get(a, set()) for a in published["audience"]))
        text = json.dumps(published["event"], ensure_ascii=False)
        for socket in sockets:
            if not socket.closed:
                try:
                    await socket.send_str(text)
                except ConnectionError:
                    logger.info("console.socket_gone")

    async def close_all(self) -> None:
        for socket in set().union(*self._sockets.values()) if self._sockets else set():
            await socket.close(code=1001, message=b"server shutdown")
