"""Action server settings, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSettings:
    handoff_url: str
    service_token: str
    handoff_timeout_seconds: float


def load_settings() -> ActionSettings:
    return ActionSettings(
        handoff_url=os.environ.get("KEFU_HANDOFF_URL", "http://127.0.0.1:8080").rstrip("/"),
        service_token=os.environ.get("KEFU_SERVICE_TOKEN", ""),
        handoff_timeout_seconds=float(os.environ.get("KEFU_HANDOFF_TIMEOUT", "3")),
    )
