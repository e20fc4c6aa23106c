"""The real kefu stack on free loopback ports: Redis, Rasa, the action server, handoff."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import redis
import requests

from actions.store.database import migrate
from stack.processes import (
    StackFailed,
    free_port,
    log_tail,
    start_processes,
    stop_processes,
    wait_until_healthy,
)
from stack.redis_server import RedisServer
from stack.settings import (
    DEFAULT_MODEL,
    GENERATED_SECRETS,
    Ports,
    process_environment,
    service_urls,
)


@dataclass
class RunningStack:
    environment: Dict[str, str]
    redis: redis.Redis[bytes]
    log_path: Path

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


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    if not DEFAULT_MODEL.exists():
        raise FileNotFoundError(f"{DEFAULT_MODEL} is missing: run `make train` first")
    workdir = tmp_path_factory.mktemp("stack")
    ports = Ports(rasa=free_port(), actions=free_port(), handoff=free_port(), redis=free_port())
    database_url = f"sqlite:///{workdir / 'kefu.db'}"
    migrate(database_url)
    log_path = workdir / "stack.log"
    with RedisServer(port=ports.redis, data_dir=workdir / "redis") as redis_server:
        environment = process_environment(
            base={**os.environ, "KEFU_DATABASE_URL": database_url},
            ports=ports,
            redis_url=redis_server.url,
            model_path=DEFAULT_MODEL,
            tokens={name: secrets.token_urlsafe(16) for name in GENERATED_SECRETS},
        )
        with log_path.open("wb") as log:
            runner = start_processes(environment, output=log)
            try:
                wait_until_healthy(service_urls(environment), runner, timeout_seconds=240)
            except StackFailed as failure:
                stop_processes(runner)
                raise StackFailed(f"{failure}\n{log_tail(log_path)}") from None
            client = redis.Redis.from_url(redis_server.url)
            try:
                yield RunningStack(environment=environment, redis=client, log_path=log_path)
            finally:
                client.close()
                stop_processes(runner)
