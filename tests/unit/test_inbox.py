"""The inbox on a real Redis: messages held until released, claimed from dead owners by exactly
one process, never from live ones, and dropped after MAX_REPLAYS replays."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Dict, List

import pytest
import redis.asyncio as aioredis

from bot.channels.inbox import ALIVE_KEY, MAX_REPLAYS, HeldMessage, Inbox, InboxKeeper

CHANNEL = "test"
FIELDS = {"sender": "+8613800138001", "text": "你好", "message_sid": "SM1", "to": ""}


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[List[aioredis.Redis]]:
    """Three connections, as three processes would have."""
    opened = [aioredis.Redis.from_url(redis_url) for _ in range(3)]
    yield opened
    for client in opened:
        await client.close()


def inbox_of(client: aioredis.Redis, owner: str) -> Inbox:
    return Inbox(lambda: client, CHANNEL, owner=owner, alive_seconds=30)


async def hold(inbox: Inbox, message_id: str) -> bool:
    return await inbox.hold_first_delivery(message_id, {**FIELDS, "message_sid": message_id},
                                           f"test:seen:{message_id}", 60)


async def test_a_message_is_held_with_its_owner_until_released(clients) -> None:
    client = clients[0]
    inbox = inbox_of(client, "process-a")
    assert await hold(inbox, "m1")
    assert not await hold(inbox, "m1")  # a retry: seen, not held again
    stored = await client.hgetall(inbox.message_key("m1"))
    assert stored[b"owner"] == b"process-a" and stored[b"replays"] == b"0"
    assert await client.zrange(inbox.index_key, 0, -1) == [b"m1"]
    await inbox.release("m1")
    assert not await client.exists(inbox.message_key("m1"))
    assert await client.zrange(inbox.index_key, 0, -1) == []
    assert await client.exists("test:seen:m1")  # still seen: a late retry is still refused


async def test_a_dead_owner_s_messages_are_claimed_by_exactly_one_of_two_processes(
        clients) -> None:
    dead = inbox_of(clients[0], "process-dead")
    message_ids = [f"m{number}" for number in range(50)]
    for message_id in message_ids:
        await hold(dead, message_id)
    first, second = inbox_of(clients[1], "process-b"), inbox_of(clients[2], "process-c")
    await first.beat()  # as each sweep begins: claimed messages belong to live processes
    await second.beat()
    claimed_by_first, claimed_by_second = await asyncio.gather(
        first.claim_orphans(), second.claim_orphans())
    claimed = [held.message_id for held in claimed_by_first + claimed_by_second]
    assert sorted(claimed) == sorted(message_ids)  # every one, none twice
    assert all(held.replays == 1 and held.fields["message_sid"] == held.message_id
               for held in claimed_by_first + claimed_by_second)
    owners = {(await clients[0].hget(dead.message_key(held.message_id), "owner")).decode()
              for held in claimed_by_first}
    assert owners <= {"process-b"}
    # Claimed messages now belong to live processes: nobody claims them again.
    assert await inbox_of(clients[0], "process-d").claim_orphans() == []


async def test_a_live_owner_s_messages_are_not_claimed_until_it_dies(clients) -> None:
    live = inbox_of(clients[0], "process-live")
    await live.beat()
    await hold(live, "m1")
    other = inbox_of(clients[1], "process-other")
    assert await other.claim_orphans() == []
    assert await live.claim_orphans() == []  # nor by itself, alive or not
    await clients[0].delete(ALIVE_KEY.format(owner="process-live"))  # its TTL ran out
    assert await live.claim_orphans() == []
    [held] = await other.claim_orphans()
    assert (held.message_id, held.replays) == ("m1", 1)
    assert held.held_at > 0


async def test_after_max_replays_a_message_is_dropped_not_replayed_again(clients) -> None:
    await hold(inbox_of(clients[0], "process-0"), "poison")
    replayed: List[int] = []
    dropped: Dict[str, int] = {}

    def replay(held: HeldMessage) -> None:
        replayed.append(held.replays)

    def drop(held: HeldMessage) -> None:
        dropped[held.message_id] = held.replays

    # Each replaying process dies in turn before handling it.
    for number in range(1, MAX_REPLAYS + 2):
        keeper = InboxKeeper(inbox_of(clients[1], f"process-{number}"), replay, drop)
        await keeper.sweep()
        await clients[1].delete(ALIVE_KEY.format(owner=f"process-{number}"))
    assert replayed == list(range(1, MAX_REPLAYS + 1))
    assert dropped == {"poison": MAX_REPLAYS + 1}
    inbox = inbox_of(clients[1], "process-last")
    assert not await clients[1].exists(inbox.message_key("poison"))
    assert await inbox.claim_orphans() == []


async def test_a_message_that_cannot_be_read_is_released_and_the_keeper_goes_on(
        clients) -> None:
    dead = inbox_of(clients[0], "process-dead")
    await hold(dead, "old-shape")
    await hold(dead, "fine")
    replayed: List[str] = []

    def replay(held: HeldMessage) -> None:
        if held.message_id == "old-shape":
            raise TypeError("unexpected keyword argument")
        replayed.append(held.message_id)

    keeper = InboxKeeper(inbox_of(clients[1], "process-b"), replay, lambda held: None)
    await keeper.sweep()
    assert replayed == ["fine"]
    assert not await clients[0].exists(dead.message_key("old-shape"))
    assert await clients[0].ttl(ALIVE_KEY.format(owner="process-b")) > 0  # the beat
