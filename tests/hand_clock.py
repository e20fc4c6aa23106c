"""A clock for the routing passes and the outbox worker that tests move by hand."""

from __future__ import annotations

from handoff.routing.clock import now_ms


class HandClock:
    """The service's "now" (ms): starts at the real time, moves only when told."""

    def __init__(self) -> None:
        self.now = now_ms()

    def __call__(self) -> int:
        return self.now
