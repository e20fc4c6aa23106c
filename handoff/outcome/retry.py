"""RetryPolicy: how often, and how far apart, a complaint outcome that failed for a
temporary reason is tried again (KEFU_OUTCOME_MAX_ATTEMPTS, KEFU_OUTCOME_RETRY_SECONDS)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    # The wait after the first failed attempt; it doubles after each one, up to max_wait.
    first_wait_seconds: int = 30
    max_wait_seconds: int = 3600

    def wait_after(self, attempts: int) -> dt.timedelta:
        seconds = self.first_wait_seconds * 2 ** (attempts - 1)
        return dt.timedelta(seconds=min(seconds, self.max_wait_seconds))

    def check(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("KEFU_OUTCOME_MAX_ATTEMPTS must be at least 1")
        if self.first_wait_seconds < 1:
            raise ValueError("KEFU_OUTCOME_RETRY_SECONDS must be at least 1")
