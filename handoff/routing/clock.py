"""Milliseconds since the epoch: the unit of every time the routing scripts store."""

from __future__ import annotations

import time


def now_ms() -> int:
    return int(time.time() * 1000)
