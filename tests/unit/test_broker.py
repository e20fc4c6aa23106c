"""RedisStreamEventBroker against a real Redis server."""

from __future__ import annotations

import json

import redis
from rasa.utils.endpoints import EndpointConfig

from bot.broker import RedisStreamEventBroker
from stack.processes import free_port


async def test_publishes_each_event_to_the_stream(redis_url, redis_client) -> None:
    broker = await RedisStreamEventBroker.from_endpoint_config(
        EndpointConfig(url=redis_url, stream="test:events")
    )
    assert broker.is_ready()
    broker.publish({"event": "user", "sender_id": "c-1", "text": "你好", "timestamp": 1.0})
    broker.publish({"event": "bot", "sender_id": "c-1", "text": "您好", "timestamp": 2.0})
    entries = redis_client.xrange("test:events")
    assert [entry[b"event"] for _, entry in entries] == [b"user", b"bot"]
    assert entries[0][1][b"sender_id"] == b"c-1"
    assert json.loads(entries[0][1][b"body"])["text"] == "你好"
    await broker.close()


async def test_unreachable_redis_is_logged_not_raised(caplog) -> None:
    client = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    broker = RedisStreamEventBroker(client, stream="test:events")
    assert not broker.is_ready()
    broker.publish({"event": "user", "sender_id": "c-1", "text": "hello"})
    assert "broker.publish_failed event=user" in caplog.text
    assert "hello" not in caplog.text
