"""Handoff service settings, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class HandoffSettings:
    redis_url: str
    service_token: str
    # Until agents log in (their handling times measured), each place in the
    # queue is assumed to cost this long.
    seconds_per_queue_position: int = 180
    # Where customers are told of agents' actions (a resolved ticket) in their own channel.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    # Tickets live in kefu's SQL store; empty means actions.store.database's default.
    database_url: str = ""


def load_settings() -> HandoffSettings:
    return HandoffSettings(
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        service_token=os.environ["KEFU_SERVICE_TOKEN"],
        seconds_per_queue_position=int(os.environ.get("KEFU_SECONDS_PER_QUEUE_POSITION", "180")),
        rasa_url=os.environ.get("KEFU_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=os.environ.get("KEFU_RASA_TOKEN", ""),
        database_url=os.environ.get("KEFU_DATABASE_URL", ""),
    )
