"""Inbox: incoming messages held in Redis from the webhook's answer until they are handled.

Twilio and WeChat do not resend a message whose webhook was answered, so a message taken but
not yet handled when its Rasa process dies would be lost. Each webhook holds its message here
(tagged with this process's owner id) as it marks the delivery seen, and releases it once
handled. Each process keeps a liveness key for its owner id; `InboxKeeper` refreshes it and
claims, one message at a time and atomically, what dead owners still held, so that exactly
one surviving process replays each of them. After `MAX_REPLAYS` replays a message is dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sanic import Blueprint, Sanic

logger = logging.getLogger(__name__)

INDEX_KEY = "kefu:inbox:{channel}"  # sorted set: message ids by the time they were held (ms)
MESSAGE_KEY = "kefu:inbox:{channel}:{message_id}"  # hash: owner, held_at, replays, fields
ALIVE_KEY = "kefu:inbox:alive:{owner}"  # string with a TTL: the owner's process is running
DEFAULT_ALIVE_SECONDS = 30
# A message that was replayed this often and is still held is taken to be what kills processes.
MAX_REPLAYS = 3
# Claimed per sweep at most: a dead busy process's backlog is taken over in turns.
CLAIM_BATCH = 200

# Mark the delivery seen and hold the message, or neither (a retry then gets another chance).
# KEYS: seen, message, index. ARGV: seen seconds, owner, held_at ms, fields JSON, message id.
HOLD_FIRST_DELIVERY = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], 'owner', ARGV[2], 'held_at', ARGV[3], 'replays', 0,
           'fields', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
return 1
"""

# Take a message over from its owner if that owner is still the one seen and is not alive.
# KEYS: message, the owner's liveness key. ARGV: owner seen, new owner.
CLAIM = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner ~= ARGV[1] or owner == ARGV[2] then return false end
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
redis.call('HSET', KEYS[1], 'owner', ARGV[2])
local replays = redis.call('HINCRBY', KEYS[1], 'replays', 1)
return {replays, redis.call('HGET', KEYS[1], 'fields'), redis.call('HGET', KEYS[1], 'held_at')}
"""

_owners: Dict[int, str] = {}


def process_owner() -> str:
    """This process's owner id: new in every process (Sanic's workers are forked), random so
    that a restarted container with the same host name and pid is another owner."""
    pid = os.getpid()
    return _owners.setdefault(pid, f"{socket.gethostname()}:{pid}:{secrets.token_hex(4)}")


def alive_seconds_from(environ: Mapping[str, str]) -> int:
    seconds = int(environ.get("KEFU_INBOX_ALIVE_SECONDS") or DEFAULT_ALIVE_SECONDS)
    if seconds < 3:  # a heartbeat every third of it, in whole seconds of TTL
        raise ValueError("KEFU_INBOX_ALIVE_SECONDS must be at least 3")
    return seconds


@dataclass(frozen=True)
class HeldMessage:
    message_id: str
    fields: Dict[str, Any]  # the channel's parsed inbound message, enough to handle it again
    held_at: float  # epoch seconds
    replays: int  # how often it has been claimed for a replay, this claim included


class Inbox:
    """One channel's held messages in Redis, owned by the process that took them."""

    def __init__(self, client: Callable[[], aioredis.Redis], channel: str,
                 owner: Optional[str] = None,
                 alive_seconds: int = DEFAULT_ALIVE_SECONDS) -> None:
        self._client, self.channel = client, channel
        self._owner = owner
        self.alive_seconds = alive_seconds
        self.index_key = INDEX_KEY.format(channel=channel)

    @property
    def owner(self) -> str:
        return self._owner or process_owner()

    @property
    def beat_seconds(self) -> float:
        # Three beats per TTL: one late beat does not make a live process look dead.
        return self.alive_seconds / 3

    def message_key(self, message_id: str) -> str:
        return MESSAGE_KEY.format(channel=self.channel, message_id=message_id)

    async def hold_first_delivery(self, message_id: str, fields: Mapping[str, Any],
                                  seen_key: str, seen_seconds: int) -> bool:
        """Mark the delivery seen (SET NX) and hold the message, atomically; False (nothing
        held) when it was seen before."""
        client = self._client()
        held = await client.register_script(HOLD_FIRST_DELIVERY)(
            keys=[seen_key, self.message_key(message_id), self.index_key],
            args=[seen_seconds, self.owner, int(time.time() * 1000),
                  json.dumps(dict(fields), ensure_ascii=False), message_id])
        return bool(held)

    async def release(self, message_id: str) -> None:
        """Handled (or given up on): nobody is to replay it."""
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.delete(self.message_key(message_id))
            pipe.zrem(self.index_key, message_id)
            await pipe.execute()

    async def beat(self) -> None:
        """Mark this process alive for `alive_seconds`."""
        await self._client().set(ALIVE_KEY.format(owner=self.owner), "1", ex=self.alive_seconds)

    async def claim_orphans(self) -> List[HeldMessage]:
        """Messages held by owners that are no longer alive, now this process's, oldest first;
        each claimed by one process only, whoever else claims at the same time."""
        client = self._client()
        message_ids = [raw.decode() for raw in
                       await client.zrange(self.index_key, 0, CLAIM_BATCH - 1)]
        owners = await self._owners_of(message_ids)
        claimed = []
        for message_id, owner in owners.items():
            if owner != self.owner:
                held = await self._claim(message_id, owner)
                if held is not None:
                    claimed.append(held)
        return claimed

    async def _owners_of(self, message_ids: List[str]) -> Dict[str, str]:
        """Each still-held message's owner, in the order given."""
        async with self._client().pipeline(transaction=False) as pipe:
            for message_id in message_ids:
                pipe.hget(self.message_key(message_id), "owner")
            owners = await pipe.execute()
        return {message_id: owner.decode()
                for message_id, owner in zip(message_ids, owners, strict=True)
                if owner is not None}

    async def _claim(self, message_id: str, owner: str) -> Optional[HeldMessage]:
        client = self._client()
        claimed = await client.register_script(CLAIM)(
            keys=[self.message_key(message_id), ALIVE_KEY.format(owner=owner)],
            args=[owner, self.owner])
        if claimed is None:
            return None  # alive, or another process was first
        replays, fields, held_at = claimed
        return HeldMessage(message_id=message_id, fields=json.loads(fields),
                           held_at=int(held_at) / 1000, replays=int(replays))


class InboxKeeper:
    """The background task of one channel's inbox: keeps this process marked alive and hands
    the messages of dead processes to `replay`, or to `drop` after MAX_REPLAYS."""

    def __init__(self, inbox: Inbox, replay: Callable[[HeldMessage], None],
                 drop: Callable[[HeldMessage], None]) -> None:
        self.inbox, self._replay, self._drop = inbox, replay, drop
        self._task: Optional[asyncio.Task[None]] = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except RedisError as error:
                # The next beat tries again; a missed beat only delays others' replays.
                logger.warning("inbox.sweep_failed channel=%s error=%s", self.inbox.channel,
                               type(error).__name__)
            except Exception:
                # The keeper must outlive any one bad sweep, or nothing is replayed any more.
                logger.exception("inbox.sweep_failed channel=%s", self.inbox.channel)
            await asyncio.sleep(self.inbox.beat_seconds)

    async def sweep(self) -> None:
        """One beat: this process alive, dead processes' messages replayed or dropped."""
        await self.inbox.beat()
        for held in await self.inbox.claim_orphans():
            if held.replays > MAX_REPLAYS:
                await self.inbox.release(held.message_id)
                self._drop(held)
                continue
            try:
                self._replay(held)
            except (TypeError, ValueError):
                # Held by another version of kefu in another shape: it cannot be handled here.
                logger.exception("inbox.unreadable channel=%s held_at=%d", self.inbox.channel,
                                 held.held_at)
                await self.inbox.release(held.message_id)


def keep_while_serving(blueprint: Blueprint, keeper: Optional[InboxKeeper]) -> None:
    """Run `keeper` while the server that mounts `blueprint` serves (none: nothing to keep)."""
    if keeper is None:
        return

    @blueprint.listener("after_server_start")
    async def keep_inbox(_app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        keeper.start()

    @blueprint.listener("before_server_stop")
    async def stop_keeping_inbox(_app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        await keeper.stop()
