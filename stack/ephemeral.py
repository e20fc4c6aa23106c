"""The whole stack on free loopback ports in a scratch directory (tests and benchmarks)."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional

from actions.store.database import migrate
from stack.processes import (
    StackFailed,
    free_port,
    log_tail,
    start_processes,
    stop_processes,
    wait_until_healthy,
    warm_up_nlu,
)
from stack.redis_server import RedisServer
from stack.settings import (
    DEFAULT_MODEL,
    GENERATED_SECRETS,
    Ports,
    process_environment,
    rasa_url,
    service_urls,
)


@dataclass(frozen=True)
class EphemeralStack:
    environment: Dict[str, str]
    log_path: Path
    ready_seconds: float

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.environment['KEFU_RASA_PORT']}"

    @property
    def redis_url(self) -> str:
        return self.environment["REDIS_URL"]


@contextlib.contextmanager
def ephemeral_stack(
    workdir: Path,
    extra_environment: Optional[Mapping[str, str]] = None,
    database_url: Optional[str] = None,
) -> Iterator[EphemeralStack]:
    """Redis, a migrated database (a SQLite file unless given) and the Procfile's processes;
    all stopped on exit."""
    if not DEFAULT_MODEL.exists():
        raise FileNotFoundError(f"{DEFAULT_MODEL} is missing: run `make train` first")
    ports = Ports(rasa=free_port(), actions=free_port(), handoff=free_port(), redis=free_port())
    database_url = database_url or f"sqlite:///{workdir / 'kefu.db'}"
    migrate(database_url)
    log_path = workdir / "stack.log"
    with RedisServer(port=ports.redis, data_dir=workdir / "redis") as redis_server:
        environment = process_environment(
            base={**os.environ, "KEFU_DATABASE_URL": database_url, **(extra_environment or {})},
            ports=ports,
            redis_url=redis_server.url,
            model_path=DEFAULT_MODEL,
            tokens={name: secrets.token_urlsafe(16) for name in GENERATED_SECRETS},
        )
        with log_path.open("wb") as log:
            runner = start_processes(environment, output=log)
            try:
                ready_seconds = wait_until_healthy(service_urls(environment), runner, 240)
                warm_up_nlu(rasa_url(environment), environment["KEFU_RASA_TOKEN"])
                yield EphemeralStack(environment, log_path, ready_seconds)
            except StackFailed as failure:
                raise StackFailed(f"{failure}\n{log_tail(log_path)}") from None
            finally:
                stop_processes(runner)
