"""Where the action server's Redis is: REDIS_URL, as `make run` sets it for every process."""

from __future__ import annotations

import os
from typing import Mapping

# As the handoff service reads it (handoff/settings.py).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("REDIS_URL") or DEFAULT_REDIS_URL
