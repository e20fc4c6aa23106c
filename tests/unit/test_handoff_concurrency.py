"""200 handoffs and 10 agents racing through two instances of the service on one Redis:
agents accept what they are offered and take from the queue, resolve, go offline and come
back, while both instances' dispatchers route. At every check and at the end: nothing is
assigned twice, nobody online is over capacity, and all 200 are resolved, each once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any, Dict, List

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from actions.store.database import migrate, session_factory
from actions.store.models import AuditEvent
from handoff.agents import save_account
from handoff.app import create_app
from handoff.keys import (
    ONLINE_AGENTS_KEY,
    QUEUE_KEY,
    agent_chats_key,
    agent_key,
    conversation_key,
)
from handoff.settings import HandoffSettings

HANDOFFS = 200
AGENTS = [f"agent-{number}" for number in range(10)]
MAX_CHATS = 3
SERVICE = {"Authorization": "Bearer t"}


@pytest.fixture
async def instances(redis_url, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    sessions = session_factory(database_url)
    for agent_id in AGENTS:
        save_account(sessions, "pw", agent_id=agent_id, display_name=agent_id,
                     languages="zh,en", skills="general,fraud", max_chats=MAX_CHATS)
    started = []
    for instance in ("handoff-a", "handoff-b"):
        settings = HandoffSettings(redis_url=redis_url, service_token="t",
                                   database_url=database_url, secure_cookies=False,
                                   rasa_url="http://127.0.0.1:9", instance=instance)
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        started.append(client)
    yield started, sessions
    for client in started:
        await client.close()


def _check_invariants(redis_client) -> None:
    online = {member.decode() for member in redis_client.smembers(ONLINE_AGENTS_KEY)}
    holders: Counter[str] = Counter()
    for agent_id in AGENTS:
        chats = {member.decode() for member in redis_client.smembers(agent_chats_key(agent_id))}
        holders.update(chats)
        if agent_id in online:
            assert len(chats) <= MAX_CHATS, (agent_id, chats)
    queued = {member.decode() for member in redis_client.zrange(QUEUE_KEY, 0, -1)}
    assert all(count == 1 for count in holders.values()), holders.most_common(3)
    assert not queued & set(holders)


async def _agent_shift(server: TestClient, agent_id: str, seed: int, done: asyncio.Event,
                       resolved: List[str]) -> None:
    # Each agent's own browser: its own cookie jar (unsafe: cookies of an IP address).
    async with ClientSession(base_url=str(server.make_url("")),
                             cookie_jar=CookieJar(unsafe=True)) as client:
        await _work(client, agent_id, random.Random(seed), done, resolved)


async def _work(client: ClientSession, agent_id: str, chance: random.Random,
                done: asyncio.Event, resolved: List[str]) -> None:
    login = await client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "pw"})
    headers = {"X-CSRF-Token": (await login.json())["csrf_token"]}
    while not done.is_set():
        lists = await (await client.get("/api/v1/agent/conversations")).json()
        if chance.random() < 0.05:  # a short break: offline, chats back to the queue
            await client.post("/api/v1/agent/presence", json={"presence": "offline"},
                              headers=headers)
            await client.post("/api/v1/agent/presence", json={"presence": "online"},
                              headers=headers)
            continue
        targets = [c["conversation_id"] for c in lists["mine"]]
        # Also race the dispatchers (and each other) for waiting conversations.
        targets += [c["conversation_id"] for c in lists["queue"][:2]]
        for conversation_id in targets:
            accepted = await client.post(f"/api/v1/agent/conversations/{conversation_id}/accept",
                                         headers=headers)
            if accepted.status != 200:
                continue
            finished = await client.post(
                f"/api/v1/agent/conversations/{conversation_id}/resolve", headers=headers)
            if finished.status == 200:
                resolved.append(conversation_id)
        await asyncio.sleep(0)  # let the other shifts run between polls


async def test_two_hundred_handoffs_ten_agents_two_instances(instances, redis_client) -> None:
    clients, sessions = instances
    conversation_ids = [f"c-{number:03d}" for number in range(HANDOFFS)]

    async def hand_over(index: int, conversation_id: str) -> Dict[str, Any]:
        reply = await clients[index % 2].post("/api/v1/handoffs", headers=SERVICE, json={
            "conversation_id": conversation_id, "channel": "socketio",
            "language": "zh" if index % 3 else "en",
            "reason": "fraud" if index % 7 == 0 else "customer_request"})
        assert reply.status == 201
        return dict(await reply.json())

    done = asyncio.Event()
    resolved: List[str] = []
    shifts = [asyncio.create_task(_agent_shift(clients[index % 2], agent_id, index, done,
                                               resolved))
              for index, agent_id in enumerate(AGENTS)]
    queued = await asyncio.gather(*(hand_over(index, conversation_id)
                                    for index, conversation_id in enumerate(conversation_ids)))
    assert len({entry["handoff_id"] for entry in queued}) == HANDOFFS

    async def watch() -> None:
        while len(set(resolved)) < HANDOFFS:
            _check_invariants(redis_client)
            await asyncio.sleep(0.05)
        done.set()

    await asyncio.wait_for(watch(), timeout=240)
    await asyncio.gather(*shifts)

    assert sorted(resolved) == conversation_ids  # every one resolved, none twice
    assert redis_client.zcard(QUEUE_KEY) == 0
    for conversation_id in conversation_ids:
        assert redis_client.hget(conversation_key(conversation_id), "status") == b"resolved"
    for agent_id in AGENTS:
        assert int(redis_client.hget(agent_key(agent_id), "active")) == 0
    with sessions() as session:
        audited = session.execute(select(AuditEvent.subject).where(
            AuditEvent.action == "conversation.resolved")).scalars().all()
    assert sorted(audited) == conversation_ids
