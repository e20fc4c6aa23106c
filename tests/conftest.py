"""Shared fixtures: a real redis-server, a real PostgreSQL, and the whole kefu stack
(Redis, Rasa, the action server, the handoff service) on free loopback ports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import redis
import requests

from actions.identity.demo import seed_demo_customers
from actions.store.database import session_factory
from handoff.agents import seed_demo_agents
from stack.ephemeral import ephemeral_stack
from stack.postgres_server import PostgresServer
from stack.processes import free_port
from stack.redis_server import RedisServer
from tests.fakes.action_delay import ActionDelayProxy
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat


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


# The address Twilio is told to call; a proxy forwards it to Rasa's local port. Signatures
# are computed over this URL, so the SMS tests also check KEFU_SMS_WEBHOOK_URL is honoured.
SMS_PUBLIC_WEBHOOK_URL = "https://kefu.example.com/webhooks/sms/webhook"


@dataclass
class RunningStack:
    environment: Dict[str, str]
    redis: redis.Redis[bytes]
    log_path: Path
    twilio: FakeTwilio
    wechat: FakeWeChat
    # Between Rasa and the action server: tests can make actions slow (delay_seconds).
    actions: ActionDelayProxy
    # The demo team's passwords (handoff.agents.DEMO_AGENTS), by agent id.
    agent_passwords: Dict[str, str]

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.environment['KEFU_RASA_PORT']}"

    def reset_handoffs(self) -> None:
        """No queue, no agents on shift, no sessions: each handoff test starts alone (the
        stack is shared by the whole session)."""
        for key in self.redis.scan_iter(match="kefu:handoff:*"):
            self.redis.delete(key)

    def agent_on_break(self, agent_id: str = "supervisor-chen") -> None:
        """An agent signed in and away: on shift (no callback offer) but taking no chats,
        so handed-over conversations stay in the queue."""
        session = requests.Session()
        signed_in = session.post(f"{self.handoff_url}/api/v1/agent/login", timeout=30, json={
            "agent_id": agent_id, "password": self.agent_passwords[agent_id]})
        signed_in.raise_for_status()
        session.post(f"{self.handoff_url}/api/v1/agent/presence", json={"presence": "away"},
                     headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
                     timeout=30).raise_for_status()

    @property
    def handoff_url(self) -> str:
        return self.environment["KEFU_HANDOFF_URL"]

    @property
    def sms_webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/sms/webhook"

    @property
    def wechat_webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/wechat/webhook"

    def post_webhook(self, body: Any) -> requests.Response:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=data,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )

    def say(self, sender: str, text: str) -> List[str]:
        """Send one customer message; return the texts of the bot's replies."""
        reply = self.post_webhook({"sender": sender, "message": text})
        assert reply.status_code == 200, reply.text
        return [message["text"] for message in reply.json()]

    def tracker_in_redis(self, sender: str) -> Dict[str, Any]:
        stored = self.redis.get(f"kefu:tracker:{sender}")
        assert stored is not None, f"no tracker for {sender} in Redis"
        return json.loads(stored)

    def tracker_via_api(self, sender: str) -> Dict[str, Any]:
        """The tracker as Rasa's HTTP API reports it (slots computed from the events)."""
        reply = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.environment["KEFU_RASA_TOKEN"]},
            timeout=10,
        )
        reply.raise_for_status()
        return dict(reply.json())

    def stream_events(self, sender: str) -> List[Dict[str, Any]]:
        return [
            json.loads(fields[b"body"])
            for _, fields in self.redis.xrange("kefu:events")
            if fields[b"sender_id"] == sender.encode()
        ]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """The whole stack once on a SQLite file and once on PostgreSQL."""
    workdir = tmp_path_factory.mktemp("stack")
    database_url = None
    if request.param == "postgresql":
        database_url = fresh_postgres_database(request.getfixturevalue("postgres_server"))
    twilio = FakeTwilio()
    twilio.start()
    request.addfinalizer(twilio.stop)
    wechat = FakeWeChat()
    wechat.start()
    request.addfinalizer(wechat.stop)
    actions = ActionDelayProxy()
    actions.start()
    request.addfinalizer(actions.stop)
    # DEBUG makes Rasa log message texts, so the tests can check they are masked.
    # Agents' hours all day, so that the tests do not depend on the time they run at.
    # A short liveness TTL: messages held by a dead process are replayed within a second or two.
    # Offers never time out here: a test that leaves an offer open must not set its agent away
    # for the tests after it (the timeout has its own tests, test_handoff_offers.py). Nor do
    # shifts end without a console: agents sign in by HTTP alone (test_shift_ends.py).
    environment = {"LOG_LEVEL": "DEBUG", "KEFU_AGENT_HOURS": "00:00-24:00",
                   "KEFU_INBOX_ALIVE_SECONDS": "3", "KEFU_OFFER_SECONDS": "86400",
                   "KEFU_CONSOLE_GRACE_SECONDS": "86400",
                   "KEFU_SMS_WEBHOOK_URL": SMS_PUBLIC_WEBHOOK_URL, **twilio.environment(),
                   **wechat.environment(), "KEFU_ACTION_URL": actions.webhook_url}
    with ephemeral_stack(workdir, environment, database_url) as running:
        actions.upstream = f"http://127.0.0.1:{running.environment['KEFU_ACTION_PORT']}"
        sessions = session_factory(running.environment["KEFU_DATABASE_URL"])
        seed_demo_customers(sessions)
        agent_passwords = seed_demo_agents(sessions, {})
        client = redis.Redis.from_url(running.redis_url)
        try:
            yield RunningStack(
                environment=running.environment, redis=client, log_path=running.log_path,
                twilio=twilio, wechat=wechat, actions=actions, agent_passwords=agent_passwords,
            )
        finally:
            client.close()


@pytest.fixture
def someone_on_shift(stack: RunningStack) -> None:
    """An agent on a break: handed-over conversations wait in the queue (no callback offer)."""
    stack.reset_handoffs()
    stack.agent_on_break()
