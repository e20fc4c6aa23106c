"""The real kefu stack on free loopback ports: Redis, Rasa, the action server, handoff."""

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
from tests.conftest import fresh_postgres_database
from tests.fakes.twilio import FakeTwilio


@dataclass
class RunningStack:
    environment: Dict[str, str]
    redis: redis.Redis[bytes]
    log_path: Path
    twilio: FakeTwilio
    # The demo team's passwords (handoff.agents.DEMO_AGENTS), by agent id.
    agent_passwords: Dict[str, str]

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.environment['KEFU_RASA_PORT']}"

    @property
    def handoff_url(self) -> str:
        return self.environment["KEFU_HANDOFF_URL"]

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
    # DEBUG makes Rasa log message texts, so the tests can check they are masked.
    environment = {"LOG_LEVEL": "DEBUG", **twilio.environment()}
    with ephemeral_stack(workdir, environment, database_url) as running:
        sessions = session_factory(running.environment["KEFU_DATABASE_URL"])
        seed_demo_customers(sessions)
        agent_passwords = seed_demo_agents(sessions, {})
        client = redis.Redis.from_url(running.redis_url)
        try:
            yield RunningStack(
                environment=running.environment, redis=client, log_path=running.log_path,
                twilio=twilio, agent_passwords=agent_passwords,
            )
        finally:
            client.close()
