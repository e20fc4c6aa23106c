"""Outcomes of routing operations that did not happen, as the scripts name them."""

from __future__ import annotations


class RoutingRefused(Exception):
    """The operation is not allowed in the conversation's or agent's current state."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
