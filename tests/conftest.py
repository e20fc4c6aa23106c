"""Shared fixtures: a real redis-server and a real PostgreSQL on free loopback ports."""

from __future__ import annotations

from typing import Iterator

import pytest
import redis

from stack.postgres_server import PostgresServer
from stack.processes import free_port
from stack.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(port=free_port(), data_dir=tmp_path_factory.mktemp("redis"))
    with server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """A clean database of the session's Redis server for each test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield redis_server.url
    client.close()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()



@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(port=free_port())
    with server:
        yield server


_database_numbers = iter(range(1, 1_000_000))


def fresh_postgres_database(server: PostgresServer) -> str:
    """A new, empty database on the session's PostgreSQL server; its URL."""
    import psycopg2

    name = f"kefu_test_{next(_database_numbers)}"
    connection = psycopg2.connect(server.url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    return server.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty, migrated database of each kind kefu supports."""
    from actions.store.database import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kefu.db'}"
    else:
        url = fresh_postgres_database(request.getfixturevalue("postgres_server"))
    migrate(url)
    return url
